import groovy.json.JsonSlurper
import groovy.yaml.YamlSlurper
import java.nio.file.FileSystems
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.math.MathContext
import java.util.zip.GZIPInputStream

/**
 * Reading what a test's run wrote: JSON, tab-separated tables, cohort files, published files,
 * versions files.
 * Paths may be Strings, Files or Paths.
 */
class Outputs {

    static Object json(path) {
        new JsonSlurper().parse(asPath(path).toFile())
    }

    /** A tab-separated table (gzipped or not): one map per row, keyed by the header's names. */
    static List<Map<String, String>> table(path) {
        def lines = text(path).readLines().findAll { it }
        def header = lines[0].split('\t', -1) as List
        lines.drop(1).collect { line -> [header, line.split('\t', -1) as List].transpose().collectEntries() }
    }

    static String text(path) {
        def file = asPath(path)
        def stream = Files.newInputStream(file)
        if (file.toString().endsWith('.gz')) {
            stream = new GZIPInputStream(stream)
        }
        stream.withCloseable { it.getText('UTF-8') }
    }

    /** A cohort file's summary (of one cancer's samples), as `tdimpute validate --json` prints it. */
    static Map cohort(path, String cancer = null) {
        def args = ['validate', asPath(path).toString(), '--json'] + (cancer ? ['--cancer', cancer] : [])
        new JsonSlurper().parseText(tdimpute(*args).readLines().last()) as Map
    }

    /** A cohort's measured expression (`tdimpute export`): sample -> gene -> value. */
    static Map<String, Map<String, Double>> expression(path, String cancer = null) {
        exported(path, cancer ? ['--cancer', cancer] : [])
    }

    /** A cohort's methylation (`tdimpute export --methylation`): sample -> CpG -> beta value. */
    static Map<String, Map<String, Double>> methylation(path) {
        exported(path, ['--methylation'])
    }

    private static Map<String, Map<String, Double>> exported(path, List<String> options) {
        def file = File.createTempFile('exported', '.tsv.gz')
        try {
            tdimpute(*(['export', '--cohort', asPath(path).toString(), '--out', file.path] + options))
            return matrix(file)
        } finally {
            file.delete()
        }
    }

    /** A Xena-like matrix file (features as rows, samples as columns): sample -> feature -> value. */
    static Map<String, Map<String, Double>> matrix(path) {
        def rows = table(path)
        def samples = rows ? rows[0].keySet().drop(1) : []
        def feature = rows ? rows[0].keySet().first() : null
        samples.collectEntries { sample -> [sample, rows.collectEntries { [it[feature], it[sample] as double] }] }
    }

    /** Runs the pipeline's own bin/tdimpute, as the tasks do; its output, or an error with it. */
    static String tdimpute(String... args) {
        def command = ['python3', 'bin/tdimpute'] + (args as List)
        def run = new ProcessBuilder(command).redirectErrorStream(true).start()
        def output = run.inputStream.getText('UTF-8')
        if (run.waitFor() != 0) {
            throw new IllegalStateException("${command.join(' ')} failed:\n${output}")
        }
        output
    }

    /** The file of this name that a task wrote under a run's work folder (not a staged link). */
    static File written(workDir, String name) {
        def found = []
        asPath(workDir).toFile().eachFileRecurse { if (it.name == name && !Files.isSymbolicLink(it.toPath())) found << it }
        if (found.size() != 1) {
            throw new IllegalStateException("expected one ${name} under ${workDir}, found ${found}")
        }
        found[0]
    }

    /** The files under a folder, as sorted paths relative to it, less those matching an ignore glob. */
    static List<String> published(dir, List<String> ignore = []) {
        def root = asPath(dir)
        def skipped = ignore.collect { FileSystems.default.getPathMatcher("glob:${it}") }
        Files.walk(root).withCloseable { paths ->
            paths.findAll { Files.isRegularFile(it) }
                .collect { root.relativize(it) }
                .findAll { relative -> !skipped.any { it.matches(relative) } }
                .collect { it.toString() }
                .sort()
        }
    }

    /**
     * A model folder for a snapshot: the names of its files. Their bytes follow the machine
     * (model.json records the Python and library versions, arrays.npz is written by Python's
     * own zipfile, a network's last bits follow the CPU's kernels): the tests check their content.
     */
    static List<String> model(folder) {
        published(folder, [])
    }

    /** The methods as the package lists them (assets/methods.json, `tdimpute methods --json`). */
    static List<Map> methods() {
        new JsonSlurper().parse(new File('assets/methods.json')) as List<Map>
    }

    /** The names of the methods that train or run a network. */
    static List<String> networkMethods() {
        methods().findAll { it.trains_network }*.name
    }

    /** Rows of a table whose `method` trains no network: the rows that are the same on any CPU. */
    static List<Map<String, String>> withoutNetworks(path) {
        def networks = networkMethods()
        table(path).findAll { !(it.method in networks) }
    }

    /** Numbers (in maps and lists too) to `digits` significant digits, below the noise of other CPUs' arithmetic. */
    static Object rounded(value, int digits = 6) {
        switch (value) {
            case Map: return value.collectEntries { key, item -> [key, rounded(item, digits)] }
            case List: return value.collect { rounded(it, digits) }
            case BigDecimal: return value.round(new MathContext(digits))
            case Double: return new BigDecimal(value).round(new MathContext(digits))
            default: return value
        }
    }

    /**
     * Versions files (tasks' versions.yml, a run's software_versions.yml) as they are on every machine:
     * process -> the names of the tools it lists, sorted, and the tdimpute version where it lists
     * tdimpute, which must be the pipeline's (manifest.version); the other tools' versions follow
     * the machine and are left out.
     */
    static Map<String, Map> versions(files) {
        def release = manifestVersion()
        def found = new TreeMap<String, Map>()
        [files].flatten().each { file ->
            (new YamlSlurper().parse(asPath(file)) as Map).each { String process, Map tools ->
                def stable = [tools: tools.keySet().sort()]
                if (tools.containsKey('tdimpute')) {
                    if (tools.tdimpute.toString() != release) {
                        throw new IllegalStateException("${process} lists tdimpute ${tools.tdimpute}, not the pipeline's ${release} (${file})")
                    }
                    stable.tdimpute = release
                }
                found[process] = stable
            }
        }
        found
    }

    /** A process's or workflow's outputs (process.out, workflow.out) less its versions channel, named and numbered. */
    static Map withoutVersions(Map out) {
        def versions = out.get('versions')
        out.findAll { key, items -> key != 'versions' && !(key ==~ /\d+/ && items == versions) }
    }

    /** The pipeline's version: manifest.version in nextflow.config. */
    static String manifestVersion() {
        def manifest = new File('nextflow.config').text.find(/(?s)\bmanifest\s*\{.*?\n\}/)
        (manifest =~ /\n\s*version\s*=\s*['"]([^'"]+)['"]/)[0][1]
    }

    private static Path asPath(path) {
        path instanceof Path ? path : Paths.get(path.toString())
    }
}
