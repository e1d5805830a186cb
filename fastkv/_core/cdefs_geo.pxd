# Declarations of csrc/fk_geohash.h (the geo index over sorted sets) for Cython.
from libc.stdint cimport uint8_t, uint64_t
from fastkv._core.cdefs cimport fk_entry

cdef extern from "fk_geohash.h" nogil:
    enum:
        FK_GEO_STEP_MAX
        FK_GEO_CIRCLE
        FK_GEO_BOX
    double FK_GEO_LAT_MIN
    double FK_GEO_LAT_MAX
    double FK_GEO_LONG_MIN
    double FK_GEO_LONG_MAX

    ctypedef struct fk_geohash:
        uint64_t bits
        uint8_t step

    ctypedef struct fk_geo_shape:
        int type
        double xy[2]
        double conversion
        double radius
        double width, height
        double bounds[4]

    ctypedef struct fk_geo_point:
        double lon, lat
        double dist
        double score
        const char *member
        size_t mlen

    ctypedef struct fk_geo_array:
        fk_geo_point *a
        size_t used, cap

    const char *fk_geo_point_member(const fk_geo_point *p)
    uint64_t fk_geo_score(double lon, double lat)
    int fk_geo_decode_score(double score, double xy[2])
    double fk_geo_distance(double lon1, double lat1, double lon2, double lat2)
    long fk_geo_search(fk_entry *e, fk_geo_shape *shape, fk_geo_array *ga, unsigned long limit)
    void fk_geo_sort(fk_geo_array *ga, int desc, size_t returned)
    void fk_geo_array_free(fk_geo_array *ga)
    void fk_geo_hash_string(const double xy[2], char out[11])
    int fk_geo_fmt_coord(char *buf, size_t len, double v)
    int fk_geo_fmt_dist(char *buf, size_t len, double v)
