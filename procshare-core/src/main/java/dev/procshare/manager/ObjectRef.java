package dev.procshare.manager;

import java.io.Serializable;

/**
 * What the server returns for an object it hosts: its id and its kind (a built-in kind such as
 * {@code "namespace"}, or a registered type id with the interface the proxy implements). The client turns it
 * into a proxy.
 */
record ObjectRef(long id, String kind, String typeId, String interfaceName) implements Serializable {
}
