package dev.procshare.examples;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serial;
import java.io.Serializable;

/**
 * The seed's {@code MyClass}: a value with an {@code increment} method. Its state crosses processes through
 * {@code writeObject}/{@code readObject}, the Java form of the seed's {@code __getstate__}/{@code __setstate__}.
 */
public final class MyClass implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private transient int value;

    public void increment() {
        value++;
    }

    public int value() {
        return value;
    }

    /** {@code __getstate__}: what travels. */
    @Serial
    private void writeObject(ObjectOutputStream out) throws IOException {
        out.writeInt(value);
    }

    /** {@code __setstate__}: restore from what travelled. */
    @Serial
    private void readObject(ObjectInputStream in) throws IOException {
        value = in.readInt();
    }

    @Override
    public String toString() {
        return "MyClass(value=" + value + ")";
    }
}
