package dev.procshare.manager;

import java.io.Serializable;

/**
 * Makes the server-side instance of a registered type from the arguments given to
 * {@link Manager#create(String, Class, Object...)}. It travels to the server serialized, with what it
 * captures, and runs there.
 */
@FunctionalInterface
public interface ObjectFactory<T> extends Serializable {
    T create(Object[] args) throws Exception;
}
