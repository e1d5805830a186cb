/* See fk_shared.h.  Each extension gets its own copy of these two symbols
 * (hidden visibility); only the pointer of the attached ones is used. */
#include "fk_shared.h"

static fk_shared fk_shared_local = {0, {0x66,0x61,0x73,0x74,0x6b,0x76,0x2d,0x73,
                                        0x65,0x65,0x64,0x2d,0x30,0x30,0x30,0x31}, FK_SHARED_ABI, 0, 0,
                                       -2, 0, 512, 64, 512, 128, 64, 4096, 100, 3000};
fk_shared *fk_sh = &fk_shared_local;
