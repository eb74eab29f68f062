package dev.procshare.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TempFileNameTest {

    @Test
    void theOwnerPidIsReadOnlyFromACreationsTemporaryFileName() {
        assertEquals(4242, Segments.tempFileOwner(".procshare-counter.4242.1f3a.tmp"));
        assertEquals(7, Segments.tempFileOwner(".procshare-a.b.7.0.tmp"), "a name may hold dots");
        assertEquals(9, Segments.tempFileOwner(".procshare-.9.ff.tmp"), "an empty name still matches");
        assertEquals(-1, Segments.tempFileOwner("procshare-counter.4242.1f3a.tmp"), "no leading dot");
        assertEquals(-1, Segments.tempFileOwner(".procshare-4242.1f3a.tmp"), "no name part");
        assertEquals(-1, Segments.tempFileOwner(".procshare-c.4242.1F3A.tmp"), "upper-case hex");
        assertEquals(-1, Segments.tempFileOwner(".procshare-c.42x.1f.tmp"), "pid not a number");
        assertEquals(-1, Segments.tempFileOwner(".procshare-c.4242..tmp"), "empty hex");
        assertEquals(-1, Segments.tempFileOwner(".procshare-c..1f.tmp"), "empty pid");
        assertEquals(-1, Segments.tempFileOwner(".procshare-c.99999999999999999999.1f.tmp"), "pid too large");
        assertEquals(-1, Segments.tempFileOwner(".procshare-c.12.1f.tmpx"), "other suffix");
        assertEquals(-1, Segments.tempFileOwner(".other-c.12.1f.tmp"), "other prefix");
    }
}
