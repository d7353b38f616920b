include { SUMMARIZE } from '../main'

workflow {
    SUMMARIZE(Channel.fromPath("${projectDir}/data/*.metrics.json").collect())
}
