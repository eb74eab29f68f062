package dev.procshare.examples;

/** The seed's {@code Test}: one instance lives in the manager; every process calls it through a proxy. */
public final class Test implements TestApi {
    private String testData = "init";

    @Override
    public String printTestList(String processName) {
        String line = processName + " : Data is : " + testData;
        System.out.println("[manager] " + line);
        return line;
    }

    @Override
    public void setTestList(String processName, String data) {
        System.out.println("[manager] " + processName + " : modify var");
        testData = data;
    }
}
