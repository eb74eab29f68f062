package dev.procshare.codec;

import java.io.InvalidClassException;

/**
 * A value held a class that the receiving side's {@link AllowList} refuses; nothing of it was deserialized.
 * The message names the class and says how to allow it.
 */
public final class ClassNotAllowedException extends InvalidClassException {
    private static final long serialVersionUID = 1L;

    /** @param className the refused class */
    public ClassNotAllowedException(String className) {
        super(className, AllowList.howToAllow(className));
    }

    /** The refused class's name. */
    public String className() {
        return classname;
    }
}
