package dev.procshare.examples;

/** What processes may call on the seed's shared {@code Test} object (Python exposes every method). */
public interface TestApi {
    /** The seed's {@code print_test_list}: prints the data once (the viewer process calls it repeatedly). */
    String printTestList(String processName);

    /** The seed's {@code set_test_list}. */
    void setTestList(String processName, String data);
}
