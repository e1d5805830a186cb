/* Stress test of csrc/fk_lazyfree.c, built alone with all of csrc/ (no
 * Python) by tests/test_lazyfree.py, also under ThreadSanitizer: the event
 * loop (main) allocates and frees while the lazy free thread frees whole
 * dicts and single unlinked entries; at the end used_memory must be exactly
 * back to its start, every object counted once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fk_alloc.h"
#include "fk_dict.h"
#include "fk_lazyfree.h"
#include "fk_object.h"
#include "fk_shared.h"
#include "fk_str.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAILED %s:%d: %s\n", __FILE__, __LINE__, #c); exit(1); } } while (0)

static const fk_dict_type MAIN = { fk_object_entry_free };

static void set_raw(fk_entry *e, int i) {
    char v[64];
    int n = snprintf(v, sizeof v, "value-%d-with-some-padding-to-be-raw-%d", i, i);
    e->v.ptr = fk_str_new(v, (size_t)n);
    e->meta = FK_OBJ_STRING | (FK_ENC_RAW << 4);
}

int main(int argc, char **argv) {
    int nkeys = argc > 1 ? atoi(argv[1]) : 100000;
    size_t base = fk_used_memory();
    size_t objects = 0;
    for (int round = 0; round < 4; round++) {
        fk_dict *d = fk_dict_new(&MAIN), *x = fk_dict_new(NULL);
        char k[32];
        for (int i = 0; i < nkeys; i++) {
            int n = snprintf(k, sizeof k, "key:%d", i);
            fk_entry *e = fk_dict_add(d, k, (size_t)n, 0);
            set_raw(e, i);
            if (i % 7 == 0) {
                fk_entry *t = fk_dict_add(x, k, (size_t)n, 0);
                t->v.i = 12345;
            }
        }
        /* a few entries leave one by one (UNLINK), the rest as dicts (FLUSHALL ASYNC) */
        for (int i = 1; i < 2000; i += 2) {
            int n = snprintf(k, sizeof k, "key:%d", i);
            fk_entry *e = fk_dict_unlink(d, k, (size_t)n);
            CHECK(e != NULL);
            CHECK(fk_lazyfree_entry(e) == 0);
            objects++;
        }
        size_t n = fk_dict_size(d);
        CHECK(fk_lazyfree_dicts(d, x, n) == 0);
        objects += n;
        /* the event loop keeps allocating meanwhile */
        void *keep[64] = {0};
        for (int j = 0; j < 300000; j++) {
            int s = j % 64;
            fk_free(keep[s]);
            keep[s] = fk_malloc((size_t)(j % 300) + 1);
            if (j % 5000 == 0) fk_lazyfree_collect();
        }
        for (int s = 0; s < 64; s++) fk_free(keep[s]);
        for (int w = 0; fk_lazyfree_queued_jobs() || fk_lazyfree_pending_objects(); w++) {
            CHECK(w < 60000);
            usleep(1000);
        }
        CHECK(fk_lazyfree_freed_objects() == objects);
        CHECK(fk_used_memory() == base);
    }
    printf("ok %zu objects, used_memory back to %zu\n", objects, base);
    return 0;
}
