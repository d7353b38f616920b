#!/usr/bin/env nextflow
/*
 * tdimpute: impute missing RNA-seq expression from DNA methylation by transfer learning
 * (TDimpute, Zhou et al., GigaScience 2020), benchmark it against classic methods and
 * measure what imputation does downstream.
 */
include { TDIMPUTE } from './workflows/tdimpute'
include { paramsProblems; paramsWarnings; paramsHelp; methodRegistry; typedParams } from './subworkflows/local/utils_tdimpute'

workflow {
    main:
    def schema = "${projectDir}/nextflow_schema.json"
    // The parameters as their schema types, whatever Nextflow version handed them over.
    def options = typedParams(params, schema)
    if (options.help) {
        log.info(paramsHelp(schema))
    } else {
        paramsWarnings(options).each { line -> log.warn(line) }
        def problems = paramsProblems(params, options, schema, methodRegistry())
        if (problems) {
            error("Invalid parameters:\n  " + problems.join('\n  '))
        }
        TDIMPUTE(options)
        workflow.onComplete = {
            if (workflow.success) {
                log.info("tdimpute finished: results in ${file(options.outdir)}")
            }
        }
    }
}
