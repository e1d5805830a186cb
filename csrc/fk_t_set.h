/* fk_t_set: the set type's two encodings (Redis 7.0's t_set.c, setType*).
 *
 *   intset     v.ptr is an fk_intset (all members integers, at most
 *              set-max-intset-entries of them)
 *   hashtable  v.ptr is an fk_dict whose entries are the members (the entry
 *              key is the member; v and meta unused, nothing else owned)
 *
 * Conversion intset -> hashtable happens when a member that is not an
 * integer is added or the intset grows past fk_sh->set_max_intset_entries
 * (setTypeAdd); never back.  Every function takes the entry holding the set
 * (or a scratch fk_entry on the stack for temporary sets, see
 * fk_set_init_tmp) and updates v.ptr and the encoding bits of meta. */
#ifndef FK_T_SET_H
#define FK_T_SET_H
#include <stddef.h>
#include <stdint.h>
#include "fk_dict.h"
#include "fk_intset.h"

/* setTypeCreate + setting it in e: intset if member p is an integer. */
void fk_set_init_for(fk_entry *e, const char *p, size_t n);
/* An empty intset-encoded set in a scratch entry (the *STORE destinations). */
void fk_set_init_tmp(fk_entry *e);
/* Frees the value of e (scratch entries). */
void fk_set_release(fk_entry *e);

int fk_set_add(fk_entry *e, const char *p, size_t n);        /* 1 if added */
int fk_set_add_ll(fk_entry *e, int64_t v);                   /* the member as its decimal */
int fk_set_remove(fk_entry *e, const char *p, size_t n);     /* 1 if removed */
int fk_set_remove_ll(fk_entry *e, int64_t v);
int fk_set_ismember(fk_entry *e, const char *p, size_t n);
int fk_set_ismember_ll(fk_entry *e, int64_t v);
uint64_t fk_set_size(const fk_entry *e);
void fk_set_convert(fk_entry *e);                            /* intset -> hashtable */
/* A random member: returns the encoding; an intset fills *ll, a hashtable
 * *p and *n (pointing into the set). */
int fk_set_random(fk_entry *e, const char **p, size_t *n, int64_t *ll);

/* Iteration (the set must not change meanwhile). fk_set_next returns the
 * encoding (FK_ENC_INTSET: *ll; FK_ENC_HT: *p, *n) or -1 at the end. */
typedef struct fk_set_iter {
    fk_entry *e;
    uint32_t enc;
    int table;
    uint64_t idx;
    fk_entry *cur;
} fk_set_iter;
void fk_set_iter_init(fk_set_iter *it, fk_entry *e);
int fk_set_next(fk_set_iter *it, const char **p, size_t *n, int64_t *ll);

/* A plain fk_dict of byte strings (members, nothing owned). */
fk_dict *fk_set_dict_new(void);

#endif
