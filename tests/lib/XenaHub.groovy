/**
 * The local stand-in for the UCSC Xena hubs (tests/with_xena_hub.py), started once for all
 * the tests of an nf-test run and stopped when it ends:
 *     params { xena_tcga_hub = XenaHub.tcga(); xena_pancan_hub = XenaHub.pancan() }
 */
class XenaHub {

    private static String base

    static synchronized String url() {
        if (base == null) {
            def hub = new ProcessBuilder('python3', 'tests/with_xena_hub.py').redirectErrorStream(true).start()
            base = new BufferedReader(new InputStreamReader(hub.inputStream)).readLine()
            if (!base?.startsWith('http://')) {
                throw new IllegalStateException("the local Xena hub did not start: ${base}")
            }
            Runtime.runtime.addShutdownHook(new Thread({ hub.outputStream.close(); hub.waitFor() }))
        }
        return base
    }

    static String tcga() { "${url()}/tcga" }

    static String pancan() { "${url()}/pancan" }
}
