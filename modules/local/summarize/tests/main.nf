include { SUMMARIZE } from '../main'

workflow {
    SUMMARIZE(channel.fromPath("${projectDir}/data/*.metrics.json").collect())
}
