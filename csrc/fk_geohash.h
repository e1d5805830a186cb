/* fk_geohash: the geo index of Redis 7.0 (geohash.c, geohash_helper.c and
 * the search half of geo.c), over fastkv's sorted sets.
 *
 * A position is stored as the score of a sorted-set member: the 52-bit
 * interleaved geohash of (longitude, latitude) at 26 steps, longitude in
 * [-180, 180] and latitude in [-85.05112878, 85.05112878] (the Web
 * Mercator limits).  Bit 2k+1 of the hash is the k-th longitude bit and
 * bit 2k the k-th latitude bit, counted from the least significant end of
 * each 26-bit coordinate; a 52-bit integer is exact in a double, so the
 * score IS the hash and ZRANGEBYSCORE order is Z-order:
 *
 *      lon bits  x25 .. x0          lat bits  y25 .. y0
 *      hash      x25 y25 x24 y24 ... x0 y0           (52 bits)
 *
 * Every cell of a coarser step s is then one contiguous score range,
 * [hash_s << (52-2s), (hash_s + 1) << (52-2s)), which is how an area
 * search reads the set: pick a step from the radius, take the cell of the
 * centre and its 8 neighbours, read each range with a score iterator and
 * keep the points actually inside the circle or the box.  Which step, which
 * neighbours are dropped, the order the 9 cells are scanned in, the
 * haversine with Redis's earth radius (6372797.560856 m), the qsort/pqsort
 * used for ASC/DESC, the number formats: all follow Redis operation for
 * operation, because every one of them is visible in replies (the order of
 * an unsorted GEOSEARCH is the scan order; a point on a boundary is in or
 * out depending on the last bit of a double).
 *
 * GEOHASH strings are the standard geohash (latitude range -90..90), so
 * they are computed by decoding the score and re-encoding it with the
 * standard ranges, as Redis does.
 *
 * Memory: the search array (fk_geo_array) is a temporary owned by the
 * caller, allocated with fk_malloc; a point's member points into the zset
 * value (valid while the value is not modified) or, for members a listpack
 * stores as integers, into the point itself (ibuf). */
#ifndef FK_GEOHASH_H
#define FK_GEOHASH_H
#include <stddef.h>
#include <stdint.h>
#include "fk_dict.h"

#define FK_GEO_STEP_MAX 26                 /* 26*2 = 52 bits */
#define FK_GEO_LAT_MIN -85.05112878
#define FK_GEO_LAT_MAX 85.05112878
#define FK_GEO_LONG_MIN -180
#define FK_GEO_LONG_MAX 180

typedef struct fk_geohash {
    uint64_t bits;
    uint8_t step;                          /* bits per coordinate; 0 with bits 0 = "no cell" */
} fk_geohash;

typedef struct fk_geo_range {
    double min, max;
} fk_geo_range;

typedef struct fk_geo_area {
    fk_geohash hash;
    fk_geo_range lon, lat;
} fk_geo_area;

/* The 9 cells of a search, in Redis's scan order. */
enum { FK_GEO_C = 0, FK_GEO_N, FK_GEO_S, FK_GEO_E, FK_GEO_W,
       FK_GEO_NE, FK_GEO_NW, FK_GEO_SE, FK_GEO_SW };

enum { FK_GEO_CIRCLE = 1, FK_GEO_BOX = 2 };

typedef struct fk_geo_shape {
    int type;                              /* FK_GEO_CIRCLE or FK_GEO_BOX */
    double xy[2];                          /* centre: longitude, latitude */
    double conversion;                     /* metres per unit (km: 1000) */
    double radius;                         /* circle, in units */
    double width, height;                  /* box, in units */
    double bounds[4];                      /* min lon, min lat, max lon, max lat (computed) */
} fk_geo_shape;

typedef struct fk_geo_point {
    double lon, lat;                       /* decoded position (cell centre) */
    double dist;                           /* metres from the centre of the search */
    double score;                          /* the member's score (its geohash) */
    const char *member;                    /* NULL: the member is ibuf */
    size_t mlen;
    char ibuf[24];                         /* a listpack integer member, as text */
} fk_geo_point;

typedef struct fk_geo_array {
    fk_geo_point *a;
    size_t used, cap;
} fk_geo_array;

static inline const char *fk_geo_point_member(const fk_geo_point *p) {
    return p->member ? p->member : p->ibuf;
}

/* -- geohash.c ----------------------------------------------------------- */
int fk_geohash_encode(const fk_geo_range *lon_range, const fk_geo_range *lat_range,
                      double lon, double lat, uint8_t step, fk_geohash *h);   /* 1 ok */
int fk_geohash_encode_wgs84(double lon, double lat, uint8_t step, fk_geohash *h);
int fk_geohash_decode(fk_geo_range lon_range, fk_geo_range lat_range, fk_geohash h,
                      fk_geo_area *area);                                     /* 1 ok */
/* The 8 neighbours of h (same step), into out[1..8] (FK_GEO_N ...); out[0] = h. */
void fk_geohash_neighbors(const fk_geohash *h, fk_geohash out[9]);

/* -- geohash_helper.c ------------------------------------------------------ */
uint64_t fk_geohash_align52(fk_geohash h);
uint8_t fk_geohash_steps_by_radius(double range_meters, double lat);
double fk_geo_distance(double lon1, double lat1, double lon2, double lat2);
/* The 9 cells (some zeroed: skipped) that cover the shape; fills shape->bounds. */
void fk_geo_cells_for_shape(fk_geo_shape *shape, fk_geohash cells[9]);

/* -- geo.c ---------------------------------------------------------------- */
/* The score of a position given to GEOADD (the caller checked the limits). */
uint64_t fk_geo_score(double lon, double lat);
/* Decode a score into xy (always succeeds for a 26-step hash; clamped). */
int fk_geo_decode_score(double score, double xy[2]);
/* 1 and *dist (metres) if the point of `score` is inside the shape; xy set. */
int fk_geo_in_shape(const fk_geo_shape *shape, double score, double xy[2], double *dist);
/* Append the members of the zset value e inside the shape to ga, scanning
 * the 9 cells (membersOfAllNeighbors); stop once ga holds `limit` points
 * (0: no limit).  Returns the number appended, or -1 out of memory. */
long fk_geo_search(fk_entry *e, fk_geo_shape *shape, fk_geo_array *ga, unsigned long limit);
/* Sort by distance, ascending or descending: the whole array with qsort,
 * or only its first `returned` places with Redis's pqsort. */
void fk_geo_sort(fk_geo_array *ga, int desc, size_t returned);
void fk_geo_array_free(fk_geo_array *ga);
/* The 11-character standard geohash of a decoded position (GEOHASH). */
void fk_geo_hash_string(const double xy[2], char out[11]);
/* Redis's addReplyHumanLongDouble text ("%.17Lf", trailing zeros cut) and
 * addReplyDoubleDistance text (4 decimals, fixedpoint_d2string); return the length. */
int fk_geo_fmt_coord(char *buf, size_t len, double v);
int fk_geo_fmt_dist(char *buf, size_t len, double v);

#endif
