package dev.procshare.manager.outside;

import java.io.Serializable;

/** A class in a package no manager allows by default. */
public final class Outsider implements Serializable {
    private static final long serialVersionUID = 1L;
}
