# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Geo commands (Redis 7.0's geo.c) on sorted sets.

A geo set is a sorted set whose scores are 52-bit geohashes
(csrc/fk_geohash.h has the design).  GEOADD is ZADD with computed scores
(same options NX XX CH, same "zadd" event, same encodings); the searches
(GEORADIUS, GEORADIUSBYMEMBER and their _RO forms, GEOSEARCH,
GEOSEARCHSTORE) parse their options here, in Redis's order and with its
error texts, and hand the shape to fk_geo_search, which reads the 9 cells
of the cover straight from the zset's C value (either encoding) into a C
array: no Python object per point.  Replies are written from that array:
members, distances (4 decimals), hashes (integers) and coordinates (Redis's
"human" long double text; RESP3 doubles).
"""
from libc.stdio cimport snprintf
from libc.string cimport memset
from fastkv._core.cdefs cimport *
from fastkv._core.cdefs_zset cimport *
from fastkv._core.cdefs_geo cimport *
from fastkv._core.client cimport Client, wrap
from fastkv._core.keyspace cimport (Database, entry_encoding, notify_event, signal_modified_key,
    LOOKUP_NONE, LOOKUP_WRITE, NOTIFY_GENERIC, NOTIFY_ZSET)
from fastkv._core.shared cimport attach
from fastkv.commands.common cimport (arg_eq, arg_ll, lookup_typed, mark_dirty, key_written,
    WRONGTYPE_ENTRY, notify_key_removed)

attach()

cdef enum:
    SORT_NONE = 0
    SORT_ASC = 1
    SORT_DESC = 2
    RADIUS_COORDS = 1 << 0      # around coordinates (GEORADIUS)
    RADIUS_MEMBER = 1 << 1      # around a member (GEORADIUSBYMEMBER)
    RADIUS_NOSTORE = 1 << 2     # the _RO forms: no STORE/STOREDIST
    GEOSEARCH = 1 << 3          # GEOSEARCH's arguments
    GEOSEARCHSTORE = 1 << 4     # GEOSEARCHSTORE: STOREDIST is a flag


# -- argument helpers (extractLongLatOrReply & co) -------------------------------

cdef int extract_lonlat(Client c, int i, double *xy) except -1:
    """argv[i], argv[i+1] as longitude, latitude.  1 after replying an error."""
    cdef char buf[1200]
    cdef int n
    if not fk_string2d(c.argv[i].p, c.argv[i].n, &xy[0]) or \
            not fk_string2d(c.argv[i + 1].p, c.argv[i + 1].n, &xy[1]):
        c.add_error_str("ERR value is not a valid float")
        return 1
    if xy[0] < FK_GEO_LONG_MIN or xy[0] > FK_GEO_LONG_MAX or \
            xy[1] < FK_GEO_LAT_MIN or xy[1] > FK_GEO_LAT_MAX:
        n = snprintf(buf, sizeof(buf), b"ERR invalid longitude,latitude pair %f,%f", xy[0], xy[1])
        if n >= <int>sizeof(buf):
            n = sizeof(buf) - 1
        c.add_error(buf, n)
        return 1
    return 0


cdef double extract_unit(Client c, int i) except? -2:
    """Metres per unit of argv[i] (m km ft mi, any case); -1 after replying."""
    if arg_eq(c, i, b"m", 1):
        return 1
    if arg_eq(c, i, b"km", 2):
        return 1000
    if arg_eq(c, i, b"ft", 2):
        return 0.3048
    if arg_eq(c, i, b"mi", 2):
        return 1609.34
    c.add_error_str("ERR unsupported unit provided. please use M, KM, FT, MI")
    return -1


cdef int extract_distance(Client c, int i, fk_geo_shape *shape) except -1:
    """<radius> <unit> at argv[i]: shape.radius, shape.conversion.  1 after an error."""
    cdef double d, conv
    if not fk_string2d(c.argv[i].p, c.argv[i].n, &d):
        c.add_error_str("ERR need numeric radius")
        return 1
    if d < 0:
        c.add_error_str("ERR radius cannot be negative")
        return 1
    shape.radius = d
    conv = extract_unit(c, i + 1)
    if conv < 0:
        return 1
    shape.conversion = conv
    return 0


cdef int extract_box(Client c, int i, fk_geo_shape *shape) except -1:
    """<width> <height> <unit> at argv[i].  1 after an error."""
    cdef double w, h, conv
    if not fk_string2d(c.argv[i].p, c.argv[i].n, &w):
        c.add_error_str("ERR need numeric width")
        return 1
    if not fk_string2d(c.argv[i + 1].p, c.argv[i + 1].n, &h):
        c.add_error_str("ERR need numeric height")
        return 1
    if h < 0 or w < 0:
        c.add_error_str("ERR height or width cannot be negative")
        return 1
    shape.height = h
    shape.width = w
    conv = extract_unit(c, i + 2)
    if conv < 0:
        return 1
    shape.conversion = conv
    return 0


cdef inline int add_coord(Client c, double v) except -1:
    """addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3."""
    cdef char buf[512]
    cdef int n = fk_geo_fmt_coord(buf, sizeof(buf), v)
    if c.resp > 2:
        c.add_raw(b",", 1)
        c.add_raw(buf, n)
        return c.add_raw(b"\r\n", 2)
    return c.add_bulk(buf, n)


cdef inline int add_distance(Client c, double d) except -1:
    """addReplyDoubleDistance: 4 decimals as a bulk string (RESP3 too)."""
    cdef char buf[512]
    cdef int n = fk_geo_fmt_dist(buf, sizeof(buf), d)
    return c.add_bulk(buf, n)


# -- GEOADD ----------------------------------------------------------------------

cdef int geoadd_impl(Client c) except -1:
    """geoaddCommand, then zaddGenericCommand on the computed scores."""
    cdef int longidx = 2, flags = 0, retflags, enc
    cdef bint nx = False, xx = False, ch = False
    cdef long elements, j
    cdef double xy[2]
    cdef double newscore = 0
    cdef double stackscores[16]
    cdef double *scores = stackscores
    cdef fk_entry *e
    cdef long long added = 0, updated = 0
    cdef void *ptr
    while longidx < c.argc:
        if arg_eq(c, longidx, b"nx", 2): nx = True
        elif arg_eq(c, longidx, b"xx", 2): xx = True
        elif arg_eq(c, longidx, b"ch", 2): ch = True
        else: break
        longidx += 1
    if (c.argc - longidx) % 3 or (xx and nx):
        return c.add_syntax_error()
    elements = (c.argc - longidx) // 3
    if elements > 16:
        scores = <double *>fk_malloc(elements * sizeof(double))
    try:
        for j in range(elements):
            if extract_lonlat(c, longidx + j * 3, xy):
                return 0
            scores[j] = <double>fk_geo_score(xy[0], xy[1])
        if elements == 0:               # what ZADD says to "ZADD key [options]"
            return c.add_syntax_error()
        if nx: flags |= ZADD_IN_NX
        if xx: flags |= ZADD_IN_XX
        e = lookup_typed(c, 1, LOOKUP_WRITE, OBJ_ZSET)
        if e == WRONGTYPE_ENTRY:
            return 0
        if e == NULL and not xx:
            if fk_sh.zset_max_listpack_entries == 0 or \
                    fk_sh.zset_max_listpack_value < <size_t>c.argv[longidx + 2].n:
                ptr = fk_zset_new()
                enc = ENC_SKIPLIST
            else:
                ptr = fk_zset_new_listpack()
                enc = ENC_LISTPACK
            e = c.db.add_value(c.argv[1].p, c.argv[1].n, OBJ_ZSET, enc, ptr)
        if e != NULL:
            for j in range(elements):
                retflags = 0
                fk_zset_add(e, scores[j], c.argv[longidx + j * 3 + 2].p,
                            c.argv[longidx + j * 3 + 2].n, flags, &retflags, &newscore)
                if retflags & ZADD_OUT_ADDED: added += 1
                if retflags & ZADD_OUT_UPDATED: updated += 1
            mark_dirty(c, added + updated)
        c.add_int(added + updated if ch else added)
        if added or updated:
            key_written(c, 1, NOTIFY_ZSET, b"zadd")
    finally:
        if scores != stackscores:
            fk_free(scores)
    return 0


# -- GEODIST GEOHASH GEOPOS --------------------------------------------------------

cdef inline bint member_xy(Client c, fk_entry *e, int i, double *xy) noexcept:
    """The position of member argv[i] of the geo set e (NULL: absent key):
    False if there is none."""
    cdef double score
    return e != NULL and fk_zset_score(e, c.argv[i].p, c.argv[i].n, &score) and \
        fk_geo_decode_score(score, xy)


cdef int geodist_impl(Client c) except -1:
    cdef double to_meter = 1
    cdef double xy1[2]
    cdef double xy2[2]
    cdef fk_entry *e
    if c.argc == 5:
        to_meter = extract_unit(c, 4)
        if to_meter < 0:
            return 0
    elif c.argc > 5:
        return c.add_syntax_error()
    e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0
    if not member_xy(c, e, 2, xy1) or not member_xy(c, e, 3, xy2):
        return c.add_null()
    return add_distance(c, fk_geo_distance(xy1[0], xy1[1], xy2[0], xy2[1]) / to_meter)


cdef int geo_members_reply(Client c, bint pos) except -1:
    """GEOPOS (pos) and GEOHASH: one entry per member argv[2:], a null
    (array for GEOPOS) for a missing one."""
    cdef fk_entry *e = lookup_typed(c, 1, LOOKUP_NONE, OBJ_ZSET)
    cdef char buf[12]
    cdef double xy[2]
    cdef int j
    if e == WRONGTYPE_ENTRY:
        return 0
    c.add_array_len(c.argc - 2)
    for j in range(2, c.argc):
        if not member_xy(c, e, j, xy):
            if pos:
                c.add_null_array()
            else:
                c.add_null()
        elif pos:
            c.add_array_len(2)
            add_coord(c, xy[0])
            add_coord(c, xy[1])
        else:
            fk_geo_hash_string(xy, buf)
            c.add_bulk(buf, 11)
    return 0


cdef int geohash_impl(Client c) except -1:
    return geo_members_reply(c, False)


cdef int geopos_impl(Client c) except -1:
    return geo_members_reply(c, True)


# -- GEORADIUS GEORADIUSBYMEMBER GEOSEARCH GEOSEARCHSTORE -----------------------

cdef int store_result(Client c, int di, fk_geo_array *ga, size_t returned, bint storedist,
                      double conversion, const char *event) except -1:
    """The STORE/STOREDIST/GEOSEARCHSTORE destination: a zset of the
    returned points scored by geohash or distance (skiplist, converted to a
    listpack when small, as Redis), or the destination deleted when there
    are none.  Replies the count."""
    cdef const char *k = c.argv[di].p
    cdef Py_ssize_t kn = c.argv[di].n
    cdef fk_entry tmp
    cdef size_t i, maxelelen = 0, totelelen = 0
    cdef fk_geo_point *p
    cdef int retflags
    cdef double newscore
    if returned:
        memset(&tmp, 0, sizeof(fk_entry))
        tmp.v.ptr = fk_zset_new()
        tmp.meta = OBJ_ZSET | (ENC_SKIPLIST << 4)
        for i in range(returned):
            p = &ga.a[i]
            p.dist /= conversion
            if maxelelen < p.mlen:
                maxelelen = p.mlen
            totelelen += p.mlen
            retflags = 0
            fk_zset_add(&tmp, p.dist if storedist else p.score, fk_geo_point_member(p), p.mlen,
                        0, &retflags, &newscore)
        fk_zset_convert_to_listpack_if_needed(&tmp, maxelelen, totelelen)
        c.db.lookup(k, kn, LOOKUP_WRITE)        # setKey's lookupKeyWrite (expires a stale key)
        signal_modified_key(c.db, k, kn)
        c.db.set_value(k, kn, OBJ_ZSET, (tmp.meta >> 4) & 0xF, tmp.v.ptr)
        notify_event(c.db, NOTIFY_ZSET, event, k, kn)
        mark_dirty(c, returned)
    elif c.db.delete(k, kn):
        signal_modified_key(c.db, k, kn)
        notify_key_removed(c, k, kn)
        mark_dirty(c, 1)
    return c.add_int(returned)


cdef int reply_points(Client c, fk_geo_array *ga, size_t returned, double conversion,
                      bint withdist, bint withhash, bint withcoords) except -1:
    cdef size_t i
    cdef fk_geo_point *p
    cdef int option_length = withdist + withhash + withcoords
    c.add_array_len(returned)
    for i in range(returned):
        p = &ga.a[i]
        p.dist /= conversion
        if option_length:
            c.add_array_len(option_length + 1)
        c.add_bulk(fk_geo_point_member(p), p.mlen)
        if withdist:
            add_distance(c, p.dist)
        if withhash:
            c.add_int(<long long>p.score)
        if withcoords:
            c.add_array_len(2)
            add_coord(c, p.lon)
            add_coord(c, p.lat)
    return 0


cdef int georadius_generic(Client c, int srcidx, int flags) except -1:
    """georadiusGeneric"""
    cdef fk_entry *e
    cdef fk_geo_shape shape
    cdef fk_geo_array ga
    cdef int base_args, storeidx = -1, i, j, remaining
    cdef bint storedist = False
    cdef bint withdist = False, withhash = False, withcoords = False
    cdef bint frommember = False, fromloc = False, byradius = False, bybox = False
    cdef bint any_ = False
    cdef int sort = SORT_NONE
    cdef long long count = 0
    cdef size_t returned
    memset(&shape, 0, sizeof(shape))
    memset(&ga, 0, sizeof(ga))

    e = lookup_typed(c, srcidx, LOOKUP_NONE, OBJ_ZSET)
    if e == WRONGTYPE_ENTRY:
        return 0

    if flags & RADIUS_COORDS:
        base_args = 6
        shape.type = FK_GEO_CIRCLE
        if extract_lonlat(c, 2, shape.xy):
            return 0
        if extract_distance(c, base_args - 2, &shape):
            return 0
    elif flags & RADIUS_MEMBER and e == NULL:
        base_args = 5           # parse on, to know which empty reply to give
    elif flags & RADIUS_MEMBER:
        base_args = 5
        shape.type = FK_GEO_CIRCLE
        if not member_xy(c, e, 2, shape.xy):
            return c.add_error_str("ERR could not decode requested zset member")
        if extract_distance(c, base_args - 2, &shape):
            return 0
    else:
        base_args = 2
        if flags & GEOSEARCHSTORE:
            base_args = 3
            storeidx = 1

    remaining = c.argc - base_args
    i = 0
    while i < remaining:
        j = base_args + i
        if arg_eq(c, j, b"withdist", 8):
            withdist = True
        elif arg_eq(c, j, b"withhash", 8):
            withhash = True
        elif arg_eq(c, j, b"withcoord", 9):
            withcoords = True
        elif arg_eq(c, j, b"any", 3):
            any_ = True
        elif arg_eq(c, j, b"asc", 3):
            sort = SORT_ASC
        elif arg_eq(c, j, b"desc", 4):
            sort = SORT_DESC
        elif arg_eq(c, j, b"count", 5) and i + 1 < remaining:
            if not arg_ll(c, j + 1, &count):
                return c.add_not_integer()
            if count <= 0:
                return c.add_error_str("ERR COUNT must be > 0")
            i += 1
        elif arg_eq(c, j, b"store", 5) and i + 1 < remaining and \
                not (flags & RADIUS_NOSTORE) and not (flags & GEOSEARCH):
            storeidx = j + 1
            storedist = False
            i += 1
        elif arg_eq(c, j, b"storedist", 9) and i + 1 < remaining and \
                not (flags & RADIUS_NOSTORE) and not (flags & GEOSEARCH):
            storeidx = j + 1
            storedist = True
            i += 1
        elif arg_eq(c, j, b"storedist", 9) and (flags & GEOSEARCH) and (flags & GEOSEARCHSTORE):
            storedist = True
        elif arg_eq(c, j, b"frommember", 10) and i + 1 < remaining and \
                (flags & GEOSEARCH) and not fromloc:
            if e != NULL and not member_xy(c, e, j + 1, shape.xy):
                return c.add_error_str("ERR could not decode requested zset member")
            frommember = True
            i += 1
        elif arg_eq(c, j, b"fromlonlat", 10) and i + 2 < remaining and \
                (flags & GEOSEARCH) and not frommember:
            if extract_lonlat(c, j + 1, shape.xy):
                return 0
            fromloc = True
            i += 2
        elif arg_eq(c, j, b"byradius", 8) and i + 2 < remaining and \
                (flags & GEOSEARCH) and not bybox:
            if extract_distance(c, j + 1, &shape):
                return 0
            shape.type = FK_GEO_CIRCLE
            byradius = True
            i += 2
        elif arg_eq(c, j, b"bybox", 5) and i + 3 < remaining and \
                (flags & GEOSEARCH) and not byradius:
            if extract_box(c, j + 1, &shape):
                return 0
            shape.type = FK_GEO_BOX
            bybox = True
            i += 3
        else:
            return c.add_syntax_error()
        i += 1

    if storeidx >= 0 and (withdist or withhash or withcoords):
        return c.add_error_str(
            "ERR %s is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
            % ("GEOSEARCHSTORE" if flags & GEOSEARCHSTORE else "STORE option in GEORADIUS"))
    if (flags & GEOSEARCH) and not (frommember or fromloc):
        return c.add_error_str("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for %s"
                               % c.argv[0].p[:c.argv[0].n].decode("utf-8", "replace"))
    if (flags & GEOSEARCH) and not (byradius or bybox):
        return c.add_error_str("ERR exactly one of BYRADIUS and BYBOX can be specified for %s"
                               % c.argv[0].p[:c.argv[0].n].decode("utf-8", "replace"))
    if any_ and not count:
        return c.add_error_str("ERR the ANY argument requires COUNT argument")

    if e == NULL:
        if storeidx >= 0:
            return store_result(c, storeidx, &ga, 0, False, 1, NULL)
        return c.add_array_len(0)

    # COUNT without a sort means the nearest ones (not with ANY)
    if count != 0 and sort == SORT_NONE and not any_:
        sort = SORT_ASC

    try:
        fk_geo_search(e, &shape, &ga, count if any_ else 0)
        if ga.used == 0 and storeidx < 0:
            return c.add_array_len(0)
        returned = ga.used if count == 0 or <long long>ga.used < count else <size_t>count
        if sort != SORT_NONE:
            fk_geo_sort(&ga, sort == SORT_DESC, returned)
        if storeidx < 0:
            return reply_points(c, &ga, returned, shape.conversion, withdist, withhash, withcoords)
        return store_result(c, storeidx, &ga, returned, storedist, shape.conversion,
                            b"geosearchstore" if flags & GEOSEARCH else b"georadiusstore")
    finally:
        fk_geo_array_free(&ga)


cdef int georadius_impl(Client c) except -1:
    return georadius_generic(c, 1, RADIUS_COORDS)

cdef int georadiusbymember_impl(Client c) except -1:
    return georadius_generic(c, 1, RADIUS_MEMBER)

cdef int georadius_ro_impl(Client c) except -1:
    return georadius_generic(c, 1, RADIUS_COORDS | RADIUS_NOSTORE)

cdef int georadiusbymember_ro_impl(Client c) except -1:
    return georadius_generic(c, 1, RADIUS_MEMBER | RADIUS_NOSTORE)

cdef int geosearch_impl(Client c) except -1:
    return georadius_generic(c, 1, GEOSEARCH)

cdef int geosearchstore_impl(Client c) except -1:
    return georadius_generic(c, 2, GEOSEARCH | GEOSEARCHSTORE)


# -- the table's handles --------------------------------------------------------------------

geoadd_cmd = wrap(geoadd_impl)
geodist_cmd = wrap(geodist_impl)
geohash_cmd = wrap(geohash_impl)
geopos_cmd = wrap(geopos_impl)
georadius_cmd = wrap(georadius_impl)
georadiusbymember_cmd = wrap(georadiusbymember_impl)
georadius_ro_cmd = wrap(georadius_ro_impl)
georadiusbymember_ro_cmd = wrap(georadiusbymember_ro_impl)
geosearch_cmd = wrap(geosearch_impl)
geosearchstore_cmd = wrap(geosearchstore_impl)
