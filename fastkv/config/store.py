"""``Config``: the current values of all parameters, looked up by name or
alias, read for CONFIG GET and changed for CONFIG SET (all-or-nothing, with
change callbacks that may veto and roll back).  Loading and rewriting
redis.conf text come from ``ConfigFileMixin`` (file.py).
"""

from __future__ import annotations

from typing import Callable

from fastkv.config.file import ConfigFileMixin
from fastkv.config.params import _INDEX, PARAMS, Param, _split_config_set
from fastkv.config.types import (HIDDEN, IMMUTABLE, PROTECTED, SENSITIVE, ConfigError,
                                 _ascii_lower, _ClientOutputBufferLimit, _Dir, stringmatch)


class Config(ConfigFileMixin):
    """Current values of all parameters; see the module docstring.

    Besides parameters, loading collects the non-parameter directives for
    the server to act on: ``rename_commands`` [(old, new)], ``users``
    [[name, rule, ...]], ``loadmodules`` [[path, arg, ...]] and
    ``module_configs`` {"mod.name": value}.
    """

    def __init__(self):
        self._values: dict[str, object] = {p.name: p.default_value() for p in PARAMS}
        self._defaults: dict[str, object] = {p.name: p.default_value() for p in PARAMS
                                             if p.name != "dir"}
        self._callbacks: dict[str, list[Callable]] = {}
        self.config_file: str | None = None
        self.rename_commands: list[tuple[str, str]] = []
        self.users: list[list[str]] = []
        self.loadmodules: list[list[str]] = []
        self.module_configs: dict[str, str] = {}

    # --- lookup / introspection -------------------------------------------
    @staticmethod
    def param(name: str) -> Param:
        """The table row for a name or alias (case-insensitive); KeyError."""
        return Config._entry(name)[0]

    @staticmethod
    def _entry(name: str) -> tuple[Param, str]:
        try:
            return _INDEX[_ascii_lower(name)]
        except KeyError:
            raise KeyError(name) from None

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and _ascii_lower(name) in _INDEX

    def names(self) -> list[str]:
        """Primary names, table order."""
        return [p.name for p in PARAMS]

    def is_sensitive(self, name: str) -> bool:
        """True for parameters whose CONFIG SET value must be redacted."""
        return name in self and bool(self.param(name).flags & SENSITIVE)

    def allows(self, name: str, is_local_client: bool) -> bool:
        """Evaluate a yes/no/local protection parameter such as
        enable-debug-command for a client (Redis's allowProtectedAction)."""
        v = self[name]
        return v == "yes" or (v == "local" and is_local_client)

    # --- reading -----------------------------------------------------------
    def get(self, name: str) -> str:
        """CONFIG GET text of one parameter; KeyError if unknown."""
        p = self.param(name)
        return p.type.fmt(self._values[p.name])

    def __getitem__(self, name: str):
        """Typed value: int, bool, str, list, dict... (see each type)."""
        p = self.param(name)
        return p.type.public(self._values[p.name])

    def config_get(self, patterns: list[str]) -> list[tuple[str, str]]:
        """CONFIG GET: (name, value) pairs for all patterns, without duplicates.

        A pattern without glob characters is an exact, case-insensitive lookup
        answered under the name as the client typed it; a glob is matched
        (case-insensitively) against every primary name and alias.
        """
        matches: dict[str, tuple[str, Param]] = {}   # lower name -> (reply name, param)
        for pat in patterns:
            if not any(c in pat for c in "[*?"):
                key = _ascii_lower(pat)
                if key not in matches and key in _INDEX:
                    matches[key] = (pat, _INDEX[key][0])
                continue
            for reg, (p, _) in _INDEX.items():
                if p.flags & HIDDEN or reg in matches:
                    continue
                if stringmatch(pat, reg, nocase=True):
                    matches[reg] = (reg, p)
        return [(shown, p.type.fmt(self._values[p.name])) for shown, p in matches.values()]

    # --- writing -----------------------------------------------------------
    def on_change(self, name: str, fn: Callable[[str, object], None]) -> None:
        """Call ``fn(primary_name, typed_value)`` after the parameter changed
        through set()/config_set().  ``fn`` may raise ConfigError to veto
        (e.g. the new port can't be bound): the change is then rolled back and
        the message reported the way Redis reports a failing apply function."""
        self._callbacks.setdefault(self.param(name).name, []).append(fn)

    def set(self, name: str, value: str, *, startup: bool = False) -> None:
        """Set one parameter from its CONFIG SET string.

        Raises ConfigError with the bare reason (e.g. "argument must be 'yes'
        or 'no'", "can't set immutable config"); config_set() adds the
        "CONFIG SET failed ..." wrapping.  Immutable parameters need
        ``startup=True``.  Protection (enable-protected-configs) is a client
        matter and only checked by config_set().
        """
        try:
            p, _ = self._entry(name)
        except KeyError:
            raise ConfigError("Unknown option or number of arguments for CONFIG SET - '%s'"
                              % name) from None
        if p.flags & IMMUTABLE and not startup:
            raise ConfigError("can't set immutable config")
        self._apply_all([(p, self._parse(p, value))])

    def set_args(self, name: str, args: list[str], *, startup: bool = True) -> None:
        """Set from an already split argument list (config-file style)."""
        p = self.param(name)
        if p.flags & IMMUTABLE and not startup:
            raise ConfigError("can't set immutable config")
        self._apply_all([(p, self._parse_args(p, args))])

    def config_set(self, pairs: list[tuple[str, str]], *,
                   is_local_client: bool = False) -> None:
        """CONFIG SET name value [name value ...], all-or-nothing.

        Raises ConfigError whose text is Redis 7.0's reply minus "ERR ".  The
        caller checks the argument count (odd -> "syntax error").
        ``is_local_client`` matters only with enable-protected-configs local.
        """
        invalid_name = err_name = errstr = None
        invalid = False
        chosen: list[tuple[Param, str, str]] = []   # (param, registered name, value)
        seen: set[str] = set()
        for name, value in pairs:
            key = _ascii_lower(name)
            entry = _INDEX.get(key)
            if entry is None:
                if not invalid:
                    invalid_name, invalid = name, True
                continue
            if invalid:
                continue
            p, reg = entry
            if p.flags & IMMUTABLE or (p.flags & PROTECTED and not
                                       self.allows("enable-protected-configs", is_local_client)):
                errstr = ("can't set immutable config" if p.flags & IMMUTABLE
                          else "can't set protected config")
                err_name, invalid = name, True
                continue
            # Redis compares table entries, so an alias and its primary name
            # are not duplicates of each other (the later one wins).
            if key in seen:
                errstr, err_name, invalid = "duplicate parameter", name, True
            seen.add(key)
            chosen.append((p, reg, value))
        if invalid:
            if invalid_name is not None:
                raise ConfigError("Unknown option or number of arguments for CONFIG SET - '%s'"
                                  % invalid_name)
            raise ConfigError("CONFIG SET failed (possibly related to argument '%s') - %s"
                              % (err_name, errstr))

        # Parse every value before touching anything; the first failure wins.
        # Values are parsed in order against the *evolving* state so that a
        # repeated alias (or partial client-output-buffer-limit) behaves
        # like Redis's sequential set.
        staged: list[tuple[Param, object]] = []
        shadow = dict(self._values)
        done_dirs: list[str] = []
        try:
            for p, reg, value in chosen:
                try:
                    if isinstance(p.type, _Dir):
                        done_dirs.append(shadow["dir"])
                    new = self._parse(p, value, shadow)
                except ConfigError as e:
                    raise ConfigError("CONFIG SET failed (possibly related to argument '%s') - %s"
                                      % (reg, e)) from None
                shadow[p.name] = new
                staged.append((p, new))
        except ConfigError:
            if done_dirs:                 # undo chdir()s of earlier dir values
                _Dir().restore(done_dirs[0])
            raise
        self._apply_all(staged, names=[reg for _, reg, _ in chosen])

    def _parse(self, p: Param, value: str, values: dict | None = None):
        return self._parse_args(p, _split_config_set(value) if p.type.multi_arg else [value],
                                values)

    def _parse_args(self, p: Param, args: list[str], values: dict | None = None):
        if isinstance(p.type, _ClientOutputBufferLimit):
            # Classes not mentioned keep their current limits.
            cur = (values if values is not None else self._values)[p.name]
            return p.type.parse_with(args, dict(cur))
        if not p.type.multi_arg and len(args) != 1:
            raise ConfigError("wrong number of arguments")
        return p.type.parse(args)

    def _apply_all(self, staged: list[tuple[Param, object]], names: list[str] | None = None):
        """Store new values, then run change callbacks; roll back if one vetoes."""
        old = {}
        for p, new in staged:
            old.setdefault(p.name, self._values[p.name])
            self._values[p.name] = new
        changed = [p for p in dict.fromkeys(p for p, _ in staged)
                   if self._values[p.name] != old[p.name] or isinstance(p.type, _Dir)]
        for i, p in enumerate(changed):
            for fn in self._callbacks.get(p.name, ()):
                try:
                    fn(p.name, p.type.public(self._values[p.name]))
                except ConfigError as e:
                    self._rollback(old, changed[: i + 1])
                    if names is None:         # set(): the bare reason
                        raise
                    shown = next((n for (q, _), n in zip(staged, names) if q is p), p.name)
                    raise ConfigError("CONFIG SET failed (possibly related to argument '%s') - %s"
                                      % (shown, e)) from None

    def _rollback(self, old: dict, applied: list[Param]) -> None:
        for name, v in old.items():
            p = self.param(name)
            self._values[name] = v
            p.type.restore(v)
        # Re-run the callbacks that already saw the new values so that their
        # side effects (listening sockets...) follow the restored state.
        for p in applied:
            for fn in self._callbacks.get(p.name, ()):
                try:
                    fn(p.name, p.type.public(self._values[p.name]))
                except Exception as e:   # noqa: BLE001 - best effort, like Redis
                    _log_warning("Failed applying restored failed CONFIG SET command: %s" % e)


def _log_warning(msg: str) -> None:
    # Imported lazily: log.py must stay usable without fastkv.config and vice versa.
    try:
        from fastkv import log
        log.log(log.WARNING, msg)
    except Exception:  # noqa: BLE001 - logging must never break config handling
        pass
