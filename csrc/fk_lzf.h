/* fk_lzf: LZF compression, the format of Marc Lehmann's liblzf (the one
 * Redis uses for compressed quicklist nodes and RDB strings).
 *
 * A stream is a sequence of chunks, each starting with a control byte:
 *
 *   000LLLLL <L+1 literal bytes>               literal run, 1..32 bytes
 *   LLLooooo oooooooo                          back reference, L in 1..6:
 *                                              copy L+2 bytes from `o+1`
 *                                              bytes back in the output
 *   111ooooo LLLLLLLL oooooooo                 back reference of 9..264
 *                                              bytes (7 + L + 2)
 *
 * Offsets reach 8192 bytes back.  Any stream liblzf's lzf_decompress reads,
 * fk_lzf_decompress reads, and the other way round; the compressor is our
 * own (greedy, one hash probe per position), so its output bytes may differ
 * from liblzf's while decoding to the same data. */
#ifndef FK_LZF_H
#define FK_LZF_H

/* Compress in_len bytes into out (at most out_len bytes).  Returns the
 * compressed length, or 0 if the result would not fit in out_len (the data
 * does not compress) or in_len is 0. */
unsigned int fk_lzf_compress(const void *in_data, unsigned int in_len,
                             void *out_data, unsigned int out_len);

/* Decompress in_len bytes into out (room for out_len bytes).  Returns the
 * decompressed length, or 0 if the input is corrupt or the output would not
 * fit. */
unsigned int fk_lzf_decompress(const void *in_data, unsigned int in_len,
                               void *out_data, unsigned int out_len);

#endif
