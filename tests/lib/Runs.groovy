import java.nio.file.Files

/** What a pipeline test's run did, from its trace and its tasks' work folders. */
class Runs {

    /** A run's trace (Nextflow's -with-trace file), each task with its process's name added. */
    static List<Map<String, String>> trace(String file) {
        Outputs.table(file).collect { it + [process: process(it.name)] }
    }

    /** "TDIMPUTE:BENCHMARK:FIT (BRCA_rate0.5_rep1_mean)" -> "FIT" */
    static String process(String task) {
        task.tokenize(' ')[0].tokenize(':')[-1]
    }

    /** Task name -> its work folder, for every task of a run. */
    static Map<String, File> tasks(String workDir) {
        def found = [:]
        new File(workDir).eachDir { prefix ->
            prefix.eachDir { task ->
                def run = new File(task, '.command.run')
                def name = run.isFile() ? run.readLines().find { it.startsWith('### name: ') } : null
                if (name) {
                    found[name.substring(11, name.length() - 1)] = task
                }
            }
        }
        found
    }

    /** Process -> names of the HDF5 cohort files its tasks staged (links in their work folders). */
    static Map<String, Set<String>> stagedCohorts(String workDir) {
        def staged = [:].withDefault { [] as Set }
        tasks(workDir).each { name, folder ->
            staged[process(name)].addAll(folder.listFiles().findAll { it.name.endsWith('.h5') && Files.isSymbolicLink(it.toPath()) }*.name)
        }
        staged
    }

    /**
     * Runs the pipeline again in a test's launch folder, with that run's parameters, configs and
     * work folder; its trace goes to meta/<name>.trace.txt beside nf-test's meta/trace.csv.
     */
    static int again(String launchDir, String name, List<String> args) {
        def meta = "${launchDir}/meta"
        def command = (['nextflow', '-q', 'run', new File('main.nf').absolutePath, '-c', new File('tests/nextflow.config').absolutePath,
                        '-params-file', "${meta}/params.json", '-profile', 'test', '-w', "${launchDir}/work",
                        '-with-trace', "${meta}/${name}.trace.txt"] + args)*.toString()
        def run = new ProcessBuilder(command).directory(new File(launchDir)).redirectErrorStream(true)
            .redirectOutput(new File("${meta}/${name}.log")).start()
        run.waitFor()
    }
}
