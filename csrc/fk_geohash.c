/* fk_geohash: geohash encoding, cell neighbours, the 9-cell cover of a
 * search shape, distances, and the area search over a sorted set.  See
 * fk_geohash.h for the design; this file follows Redis 7.0's geohash.c,
 * geohash_helper.c and geo.c step by step, because the floating-point
 * operations (and their order) decide which points a search returns and
 * the digits of every distance. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fk_alloc.h"
#include "fk_geohash.h"
#include "fk_zset.h"
#include "fk_util.h"

#define GEO_D_R (M_PI / 180.0)
static const double EARTH_RADIUS_IN_METERS = 6372797.560856;   /* Redis's */
static const double MERCATOR_MAX = 20037726.37;

static inline double deg_rad(double ang) { return ang * GEO_D_R; }
static inline double rad_deg(double ang) { return ang / GEO_D_R; }

static inline int hash_is_zero(fk_geohash h) { return h.bits == 0 && h.step == 0; }

/* ==================================================================== */
/* Encoding and decoding                                                 */
/* ==================================================================== */

/* Spread the 32 bits of v to the even bit positions of a 64-bit word. */
static inline uint64_t spread32(uint32_t v) {
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* The inverse: gather the even bits of x into 32 bits. */
static inline uint32_t gather32(uint64_t x) {
    x &= 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

int fk_geohash_encode(const fk_geo_range *lon_range, const fk_geo_range *lat_range,
                      double lon, double lat, uint8_t step, fk_geohash *h) {
    if (h == NULL || step > 32 || step == 0) return 0;
    if ((lat_range->min == 0 && lat_range->max == 0) ||
        (lon_range->min == 0 && lon_range->max == 0)) return 0;
    /* outside what the index supports at all */
    if (lon > FK_GEO_LONG_MAX || lon < FK_GEO_LONG_MIN ||
        lat > FK_GEO_LAT_MAX || lat < FK_GEO_LAT_MIN) return 0;
    h->bits = 0;
    h->step = step;
    if (lat < lat_range->min || lat > lat_range->max ||
        lon < lon_range->min || lon > lon_range->max) return 0;

    double lat_off = (lat - lat_range->min) / (lat_range->max - lat_range->min);
    double lon_off = (lon - lon_range->min) / (lon_range->max - lon_range->min);
    /* fixed point at `step` bits (a coordinate at its max gives 2^step, as Redis) */
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    h->bits = spread32((uint32_t)lat_off) | (spread32((uint32_t)lon_off) << 1);
    return 1;
}

static void wgs84_ranges(fk_geo_range *lon, fk_geo_range *lat) {
    lon->min = FK_GEO_LONG_MIN;
    lon->max = FK_GEO_LONG_MAX;
    lat->min = FK_GEO_LAT_MIN;
    lat->max = FK_GEO_LAT_MAX;
}

int fk_geohash_encode_wgs84(double lon, double lat, uint8_t step, fk_geohash *h) {
    fk_geo_range r[2];
    wgs84_ranges(&r[0], &r[1]);
    return fk_geohash_encode(&r[0], &r[1], lon, lat, step, h);
}

int fk_geohash_decode(fk_geo_range lon_range, fk_geo_range lat_range, fk_geohash h,
                      fk_geo_area *area) {
    if (hash_is_zero(h) || area == NULL ||
        (lat_range.min == 0 && lat_range.max == 0) ||
        (lon_range.min == 0 && lon_range.max == 0)) return 0;
    area->hash = h;
    uint8_t step = h.step;
    uint32_t ilat = gather32(h.bits);          /* even bits */
    uint32_t ilon = gather32(h.bits >> 1);     /* odd bits */
    double lat_scale = lat_range.max - lat_range.min;
    double lon_scale = lon_range.max - lon_range.min;
    double cells = (double)(1ULL << step);
    area->lat.min = lat_range.min + (ilat * 1.0 / cells) * lat_scale;
    area->lat.max = lat_range.min + ((ilat + 1) * 1.0 / cells) * lat_scale;
    area->lon.min = lon_range.min + (ilon * 1.0 / cells) * lon_scale;
    area->lon.max = lon_range.min + ((ilon + 1) * 1.0 / cells) * lon_scale;
    return 1;
}

/* The centre of a cell, clamped to the index's limits. */
static int area_center(const fk_geo_area *area, double *xy) {
    xy[0] = (area->lon.min + area->lon.max) / 2;
    if (xy[0] > FK_GEO_LONG_MAX) xy[0] = FK_GEO_LONG_MAX;
    if (xy[0] < FK_GEO_LONG_MIN) xy[0] = FK_GEO_LONG_MIN;
    xy[1] = (area->lat.min + area->lat.max) / 2;
    if (xy[1] > FK_GEO_LAT_MAX) xy[1] = FK_GEO_LAT_MAX;
    if (xy[1] < FK_GEO_LAT_MIN) xy[1] = FK_GEO_LAT_MIN;
    return 1;
}

/* Move a cell one step along longitude (odd bits, dx = +1/-1) or latitude
 * (even bits, dy), wrapping around within the step's bits. */
static void move_bits(fk_geohash *h, int d, uint64_t own_mask, uint64_t other_mask) {
    if (d == 0) return;
    int shift = 64 - h->step * 2;
    uint64_t own = h->bits & own_mask;
    uint64_t other = h->bits & other_mask;
    uint64_t fill = other_mask >> shift;       /* the other coordinate's bits, all ones */
    if (d > 0) {
        own = own + (fill + 1);
    } else {
        own = own | fill;
        own = own - (fill + 1);
    }
    own &= (own_mask >> shift);
    h->bits = own | other;
}

static inline void move_x(fk_geohash *h, int d) {
    move_bits(h, d, 0xaaaaaaaaaaaaaaaaULL, 0x5555555555555555ULL);
}

static inline void move_y(fk_geohash *h, int d) {
    move_bits(h, d, 0x5555555555555555ULL, 0xaaaaaaaaaaaaaaaaULL);
}

void fk_geohash_neighbors(const fk_geohash *h, fk_geohash out[9]) {
    static const int8_t dx[9] = { 0, 0, 0, 1, -1, 1, -1, 1, -1 };
    static const int8_t dy[9] = { 0, 1, -1, 0, 0, 1, 1, -1, -1 };
    for (int i = 0; i < 9; i++) {
        out[i] = *h;
        move_x(&out[i], dx[i]);
        move_y(&out[i], dy[i]);
    }
}

/* ==================================================================== */
/* Search areas and distances                                           */
/* ==================================================================== */

uint64_t fk_geohash_align52(fk_geohash h) {
    return h.bits << (52 - h.step * 2);
}

uint8_t fk_geohash_steps_by_radius(double range_meters, double lat) {
    if (range_meters == 0) return 26;
    int step = 1;
    while (range_meters < MERCATOR_MAX) {
        range_meters *= 2;
        step++;
    }
    step -= 2;              /* so that the radius fits the cell in most cases */
    /* cells get narrower towards the poles */
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80) step--;
    }
    if (step < 1) step = 1;
    if (step > 26) step = 26;
    return (uint8_t)step;
}

static double lat_distance(double lat1, double lat2) {
    return EARTH_RADIUS_IN_METERS * fabs(deg_rad(lat2) - deg_rad(lat1));
}

/* Haversine great-circle distance in metres. */
double fk_geo_distance(double lon1, double lat1, double lon2, double lat2) {
    double lon1r = deg_rad(lon1), lon2r = deg_rad(lon2);
    double v = sin((lon2r - lon1r) / 2);
    if (v == 0.0)           /* same meridian: the cheap exact form */
        return lat_distance(lat1, lat2);
    double lat1r = deg_rad(lat1), lat2r = deg_rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * EARTH_RADIUS_IN_METERS * asin(sqrt(a));
}

/* The box around the shape, in degrees; wider on the side nearer a pole. */
static void bounding_box(fk_geo_shape *s, double *bounds) {
    double lon = s->xy[0], lat = s->xy[1];
    double height = s->conversion * (s->type == FK_GEO_CIRCLE ? s->radius : s->height / 2);
    double width = s->conversion * (s->type == FK_GEO_CIRCLE ? s->radius : s->width / 2);
    const double lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS);
    const double lon_delta_top = rad_deg(width / EARTH_RADIUS_IN_METERS / cos(deg_rad(lat + lat_delta)));
    const double lon_delta_bottom = rad_deg(width / EARTH_RADIUS_IN_METERS / cos(deg_rad(lat - lat_delta)));
    int south = lat < 0;
    bounds[0] = south ? lon - lon_delta_bottom : lon - lon_delta_top;
    bounds[2] = south ? lon + lon_delta_bottom : lon + lon_delta_top;
    bounds[1] = lat - lat_delta;
    bounds[3] = lat + lat_delta;
}

void fk_geo_cells_for_shape(fk_geo_shape *s, fk_geohash cells[9]) {
    fk_geo_range lon_range, lat_range;
    fk_geohash hash;
    fk_geo_area area;

    bounding_box(s, s->bounds);
    double min_lon = s->bounds[0], min_lat = s->bounds[1];
    double max_lon = s->bounds[2], max_lat = s->bounds[3];
    double lon = s->xy[0], lat = s->xy[1];
    /* a box is estimated by the distance from its centre to a corner */
    double radius_meters = s->type == FK_GEO_CIRCLE ? s->radius :
        sqrt((s->width / 2) * (s->width / 2) + (s->height / 2) * (s->height / 2));
    radius_meters *= s->conversion;

    int steps = fk_geohash_steps_by_radius(radius_meters, lat);
    wgs84_ranges(&lon_range, &lat_range);
    fk_geohash_encode(&lon_range, &lat_range, lon, lat, (uint8_t)steps, &hash);
    fk_geohash_neighbors(&hash, cells);
    fk_geohash_decode(lon_range, lat_range, hash, &area);

    /* When the centre is near the edge of its cell, the 8 neighbours may
     * not cover the bounding box: one step coarser then.  (Redis 7.0.15
     * compares the neighbours with the box; older releases compared
     * haversine distances to their edges, which selects other cells.) */
    int decrease = 0;
    {
        fk_geo_area n, so, e, w;
        fk_geohash_decode(lon_range, lat_range, cells[FK_GEO_N], &n);
        fk_geohash_decode(lon_range, lat_range, cells[FK_GEO_S], &so);
        fk_geohash_decode(lon_range, lat_range, cells[FK_GEO_E], &e);
        fk_geohash_decode(lon_range, lat_range, cells[FK_GEO_W], &w);
        if (n.lat.max < max_lat) decrease = 1;
        if (so.lat.min > min_lat) decrease = 1;
        if (e.lon.max < max_lon) decrease = 1;
        if (w.lon.min > min_lon) decrease = 1;
    }
    if (steps > 1 && decrease) {
        steps--;
        fk_geohash_encode(&lon_range, &lat_range, lon, lat, (uint8_t)steps, &hash);
        fk_geohash_neighbors(&hash, cells);
        fk_geohash_decode(lon_range, lat_range, hash, &area);
    }

    /* Drop the neighbours the bounding box doesn't reach. */
    static const fk_geohash zero = { 0, 0 };
    if (steps >= 2) {
        if (area.lat.min < min_lat) {
            cells[FK_GEO_S] = zero; cells[FK_GEO_SW] = zero; cells[FK_GEO_SE] = zero;
        }
        if (area.lat.max > max_lat) {
            cells[FK_GEO_N] = zero; cells[FK_GEO_NE] = zero; cells[FK_GEO_NW] = zero;
        }
        if (area.lon.min < min_lon) {
            cells[FK_GEO_W] = zero; cells[FK_GEO_SW] = zero; cells[FK_GEO_NW] = zero;
        }
        if (area.lon.max > max_lon) {
            cells[FK_GEO_E] = zero; cells[FK_GEO_SE] = zero; cells[FK_GEO_NE] = zero;
        }
    }
}

/* ==================================================================== */
/* geo.c: scores, the search, sorting, formats                          */
/* ==================================================================== */

uint64_t fk_geo_score(double lon, double lat) {
    fk_geohash h;
    fk_geohash_encode_wgs84(lon, lat, FK_GEO_STEP_MAX, &h);
    return fk_geohash_align52(h);
}

/* (uint64_t)score as Redis's x86-64 build computes it, without the C
 * undefined behaviour for scores no GEOADD makes (negative, >= 2^64, inf):
 * the conversion goes through the signed one, whose out-of-range result is
 * 0x8000000000000000, and values >= 2^63 are shifted down and back. */
static uint64_t score_bits(double s) {
    const double two63 = 9223372036854775808.0;
    const uint64_t indefinite = 0x8000000000000000ULL;
    if (!(s >= two63)) {
        if (s >= -two63) return (uint64_t)(int64_t)s;
        return indefinite;                      /* below range (or NaN) */
    }
    double t = s - two63;
    if (t < two63) return ((uint64_t)(int64_t)t) ^ indefinite;
    return indefinite ^ indefinite;             /* >= 2^64 and inf: 0 */
}

int fk_geo_decode_score(double score, double xy[2]) {
    fk_geohash h = { score_bits(score), FK_GEO_STEP_MAX };
    fk_geo_range r[2];
    fk_geo_area area;
    wgs84_ranges(&r[0], &r[1]);
    if (!fk_geohash_decode(r[0], r[1], h, &area)) return 0;
    return area_center(&area, xy);
}

int fk_geo_in_shape(const fk_geo_shape *s, double score, double xy[2], double *dist) {
    if (!fk_geo_decode_score(score, xy)) return 0;
    if (s->type == FK_GEO_CIRCLE) {
        *dist = fk_geo_distance(s->xy[0], s->xy[1], xy[0], xy[1]);
        if (*dist > s->radius * s->conversion) return 0;
        return 1;
    }
    if (s->type == FK_GEO_BOX) {
        /* the latitude test first: it is the cheaper one */
        double width_m = s->width * s->conversion, height_m = s->height * s->conversion;
        if (lat_distance(xy[1], s->xy[1]) > height_m / 2) return 0;
        if (fk_geo_distance(xy[0], xy[1], s->xy[0], xy[1]) > width_m / 2) return 0;
        *dist = fk_geo_distance(s->xy[0], s->xy[1], xy[0], xy[1]);
        return 1;
    }
    return 1;
}

static fk_geo_point *array_push(fk_geo_array *ga) {
    if (ga->used == ga->cap) {
        ga->cap = ga->cap ? ga->cap * 2 : 8;
        ga->a = fk_realloc(ga->a, ga->cap * sizeof(fk_geo_point));
    }
    return &ga->a[ga->used++];
}

void fk_geo_array_free(fk_geo_array *ga) {
    fk_free(ga->a);
    ga->a = NULL;
    ga->used = ga->cap = 0;
}

/* The members with min <= score < max that are inside the shape. */
static void points_in_range(fk_entry *e, double min, double max, fk_geo_shape *s,
                            fk_geo_array *ga, unsigned long limit) {
    fk_zrangespec range = { .min = min, .max = max, .minex = 0, .maxex = 1 };
    fk_zset_iter it;
    const char *m;
    size_t n;
    double score, xy[2], dist;

    if (!fk_zset_iter_score(&it, e, &range, 0)) return;
    while (fk_zset_iter_valid(&it)) {
        fk_zset_iter_get(&it, &m, &n, &score);
        if (!fk_zset_value_lte_max(score, &range)) break;
        dist = 0;
        if (fk_geo_in_shape(s, score, xy, &dist)) {
            fk_geo_point *p = array_push(ga);
            p->lon = xy[0];
            p->lat = xy[1];
            p->dist = dist;
            p->score = score;
            p->mlen = n;
            if (m >= (const char *)it.buf && m < (const char *)it.buf + sizeof(it.buf)) {
                /* an integer member, formatted in the iterator: keep a copy */
                memcpy(p->ibuf, m, n < sizeof(p->ibuf) ? n : sizeof(p->ibuf));
                p->member = NULL;
            } else {
                p->member = m;
            }
        }
        if (ga->used && limit && ga->used >= limit) break;
        fk_zset_iter_next(&it);
    }
}

long fk_geo_search(fk_entry *e, fk_geo_shape *s, fk_geo_array *ga, unsigned long limit) {
    fk_geohash cells[9];
    size_t before = ga->used;
    unsigned int last = 0;

    fk_geo_cells_for_shape(s, cells);
    for (unsigned int i = 0; i < 9; i++) {
        if (hash_is_zero(cells[i])) continue;
        /* With huge radii neighbours can coincide: skip a cell equal to
         * the last one scanned. */
        if (last && cells[i].bits == cells[last].bits && cells[i].step == cells[last].step)
            continue;
        if (ga->used && limit && ga->used >= limit) break;
        fk_geohash h = cells[i];
        uint64_t min = fk_geohash_align52(h);
        h.bits++;
        uint64_t max = fk_geohash_align52(h);
        points_in_range(e, (double)min, (double)max, s, ga, limit);
        last = i;
    }
    return (long)(ga->used - before);
}

static int cmp_asc(const void *a, const void *b) {
    const fk_geo_point *pa = a, *pb = b;
    if (pa->dist > pb->dist) return 1;
    if (pa->dist == pb->dist) return 0;
    return -1;
}

static int cmp_desc(const void *a, const void *b) {
    return -cmp_asc(a, b);
}

/* -- Redis's pqsort: Bentley & McIlroy's quicksort (as in NetBSD's libc)
 * that only recurses into partitions overlapping the wanted range
 * [lo, hi].  The same comparisons and swaps as Redis's, so points at equal
 * distances come out in the same order. */

typedef int (*geo_cmp_fn)(const void *, const void *);

static inline void swap_pt(fk_geo_point *a, fk_geo_point *b) {
    fk_geo_point t = *a;
    *a = *b;
    *b = t;
}

static inline void vec_swap(fk_geo_point *a, fk_geo_point *b, size_t n) {
    while (n--) swap_pt(a++, b++);
}

static inline fk_geo_point *median3(fk_geo_point *a, fk_geo_point *b, fk_geo_point *c,
                                    geo_cmp_fn cmp) {
    if (cmp(a, b) < 0) {
        if (cmp(b, c) < 0) return b;
        return cmp(a, c) < 0 ? c : a;
    }
    if (cmp(b, c) > 0) return b;
    return cmp(a, c) < 0 ? a : c;
}

static void partial_qsort(fk_geo_point *a, size_t n, geo_cmp_fn cmp,
                          const fk_geo_point *lo, const fk_geo_point *hi) {
    for (;;) {
        fk_geo_point *pa, *pb, *pc, *pd, *pl, *pm, *pn;
        size_t r;
        int c;

        if (n < 7) {                                  /* insertion sort */
            for (pm = a + 1; pm < a + n; pm++)
                for (pl = pm; pl > a && cmp(pl - 1, pl) > 0; pl--)
                    swap_pt(pl, pl - 1);
            return;
        }
        pm = a + n / 2;
        if (n > 7) {
            pl = a;
            pn = a + (n - 1);
            if (n > 40) {                             /* ninther */
                size_t d = n / 8;
                pl = median3(pl, pl + d, pl + 2 * d, cmp);
                pm = median3(pm - d, pm, pm + d, cmp);
                pn = median3(pn - 2 * d, pn - d, pn, cmp);
            }
            pm = median3(pl, pm, pn, cmp);
        }
        swap_pt(a, pm);
        pa = pb = a + 1;
        pc = pd = a + (n - 1);
        for (;;) {
            while (pb <= pc && (c = cmp(pb, a)) <= 0) {
                if (c == 0) { swap_pt(pa, pb); pa++; }
                pb++;
            }
            while (pb <= pc && (c = cmp(pc, a)) >= 0) {
                if (c == 0) { swap_pt(pc, pd); pd--; }
                pc--;
            }
            if (pb > pc) break;
            swap_pt(pb, pc);
            pb++;
            pc--;
        }
        pn = a + n;
        r = (size_t)(pa - a) < (size_t)(pb - pa) ? (size_t)(pa - a) : (size_t)(pb - pa);
        vec_swap(a, pb - r, r);
        r = (size_t)(pd - pc) < (size_t)(pn - pd - 1) ? (size_t)(pd - pc) : (size_t)(pn - pd - 1);
        vec_swap(pb, pn - r, r);

        /* left part: [a, a + (pb - pa)) */
        r = (size_t)(pb - pa);
        if (r > 1) {
            const fk_geo_point *l = a, *rr = a + r - 1;
            if (!((lo < l && hi < l) || (lo > rr && hi > rr)))
                partial_qsort(a, r, cmp, lo, hi);
        }
        /* right part: [pn - (pd - pc), pn), iterated */
        r = (size_t)(pd - pc);
        if (r > 1) {
            a = pn - r;
            n = r;
            const fk_geo_point *l = a, *rr = a + r - 1;
            if (!((lo < l && hi < l) || (lo > rr && hi > rr)))
                continue;
        }
        return;
    }
}

void fk_geo_sort(fk_geo_array *ga, int desc, size_t returned) {
    geo_cmp_fn cmp = desc ? cmp_desc : cmp_asc;
    if (ga->used == 0) return;
    if (returned >= ga->used)
        qsort(ga->a, ga->used, sizeof(fk_geo_point), cmp);
    else
        partial_qsort(ga->a, ga->used, cmp, ga->a, ga->a + returned - 1);
}

void fk_geo_hash_string(const double xy[2], char out[11]) {
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    fk_geo_range lon = { -180, 180 }, lat = { -90, 90 };
    fk_geohash h = { 0, 0 };
    /* re-encode with the standard latitude range */
    fk_geohash_encode(&lon, &lat, xy[0], xy[1], 26, &h);
    for (int i = 0; i < 11; i++) {
        /* 52 bits give 10 characters and 2 bits; the 11th is '0' as Redis */
        int idx = i == 10 ? 0 : (int)((h.bits >> (52 - (i + 1) * 5)) & 0x1f);
        out[i] = alphabet[idx];
    }
}

int fk_geo_fmt_coord(char *buf, size_t len, double v) {
    int l;
    if (isinf(v)) {
        l = snprintf(buf, len, v > 0 ? "inf" : "-inf");
        return l;
    }
    l = snprintf(buf, len, "%.17Lf", (long double)v);
    if (l < 0 || (size_t)l + 1 > len) return 0;
    if (memchr(buf, '.', (size_t)l) != NULL) {
        while (buf[l - 1] == '0') l--;
        if (buf[l - 1] == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    buf[l] = '\0';
    return l;
}

/* Redis 7.0's fixedpoint_d2string(.., 4): v * 10^4 rounded with llrint,
 * then printed as an integer with the dot 4 digits from the right.  Not
 * snprintf("%.4f"): the two differ when the product rounds across a half
 * (and for NaN, which llrint turns into LLONG_MIN, printed as Redis does). */
int fk_geo_fmt_dist(char *buf, size_t len, double v) {
    char d[24];
    char *w = buf;
    if (len < 32) return 0;
    if (v == 0) {
        memcpy(buf, "0.0000", 7);
        return 6;
    }
    long long sv = llrint(v * 10000.0);
    int neg = sv < 0;
    const char *dig = d + neg;                 /* the digits of |sv| */
    int nd = (int)(fk_ll2digits(d, sv) - dig);
    if (neg) *w++ = '-';
    if (nd <= 4) {                             /* 0.0dd */
        *w++ = '0';
        *w++ = '.';
        for (int k = nd; k < 4; k++) *w++ = '0';
    } else {
        memcpy(w, dig, (size_t)(nd - 4));
        w += nd - 4;
        *w++ = '.';
        dig += nd - 4;
        nd = 4;
    }
    memcpy(w, dig, (size_t)nd);
    w += nd;
    *w = '\0';
    return (int)(w - buf);
}
