package dev.procshare.codec;

/**
 * Marks a read-only {@link java.util.List} view, such as the list {@code ProcessPool.map} returns, that
 * {@link FastCodec} encodes exactly as an {@code ArrayList} of the same elements (so it decodes as an
 * {@code ArrayList}, in any JVM). Only for classes that implement {@code List}.
 */
public interface EncodesAsArrayList {
}
