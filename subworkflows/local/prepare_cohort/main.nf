/*
 * The cohort every later step reads: a given cohort file, matrices to preprocess, a
 * samplesheet of cohorts to pool, TCGA cohorts or the Pan-Cancer Atlas downloaded from UCSC
 * Xena, or a simulated cohort; validated before use.
 */
include { SIMULATE        } from '../../../modules/local/simulate/main'
include { DOWNLOAD        } from '../../../modules/local/download/main'
include { PREPROCESS      } from '../../../modules/local/preprocess/main'
include { PREPROCESS_POOL } from '../../../modules/local/preprocess_pool/main'
include { VALIDATE        } from '../../../modules/local/validate/main'

/** PREPROCESS_POOL's input from a samplesheet (cohort,methylation,expression,clinical), less
 *  the reference: file names are relative to the sheet's folder unless absolute or URLs. */
List samplesheetInput(String path, String id = 'cohort') {
    def sheet   = file(path, checkIfExists: true)
    def locate  = { String name ->
        if (!name) return null
        file(name.startsWith('/') || name.contains('://') ? name : "${sheet.parent}/${name}", checkIfExists: true)
    }
    def rows    = sheet.splitCsv(header: true, strip: true).collect { row ->
        if (!row.cohort || !row.methylation) error("samplesheet ${path}: every row needs a cohort and a methylation file")
        [ cohort: row.cohort, methylation: locate(row.methylation), expression: locate(row.expression), clinical: locate(row.clinical) ]
    }
    def cohorts = rows.collect { [ cohort: it.cohort, expression: it.expression != null, clinical: it.clinical != null ] }
    return [ [ id: id ], cohorts, rows*.methylation, rows*.expression.findAll(), rows*.clinical.findAll() ]
}

/** PREPROCESS_POOL's input from DOWNLOAD's outputs: each TCGA cohort's methylation and
 *  expression, with the Pan-Cancer survival table as every cohort's clinical table. */
List xenaPoolInput(List downloads) {
    def files    = { download, suffix -> [download[1]].flatten().find { it.name.endsWith(suffix) } }
    def survival = [downloads.find { !it[0].cohort }[1]].flatten()[0]
    def rows     = downloads.findAll { it[0].cohort }.sort { it[0].cohort }
    return [ [ id: 'cohort' ], rows.collect { [ cohort: it[0].cohort, expression: true, clinical: true ] },
             rows.collect { files(it, 'HumanMethylation450.gz') }, rows.collect { files(it, 'HiSeqV2.gz') },
             rows.collect { survival }, [] ]
}

workflow PREPARE_COHORT {
    main:
    ch_versions = Channel.empty()
    if (params.cohort) {
        ch_cohort = Channel.of([ [ id: file(params.cohort).baseName ], file(params.cohort, checkIfExists: true) ])
    } else if (params.tcga_pancan) {
        // The Pan-Cancer Atlas matrices: the methylation file is streamed by PREPROCESS.
        DOWNLOAD(Channel.of([ id: 'pancan', pancan: true ]))
        def named = { files, part -> [files].flatten().find { it.name.contains(part) } }
        PREPROCESS(DOWNLOAD.out.files.map { meta, files ->
            [ [ id: 'cohort' ], named(files, 'HumanMethylation450'), named(files, 'geneExp'), named(files, 'Survival') ] })
        ch_cohort   = PREPROCESS.out.cohort
        ch_versions = ch_versions.mix(DOWNLOAD.out.versions, PREPROCESS.out.versions)
    } else if (params.tcga_cohorts) {
        def cohorts = params.tcga_cohorts.tokenize(',')*.trim()*.toUpperCase()
        DOWNLOAD(Channel.fromList(cohorts.collect { [ id: it, cohort: it ] } + [ [ id: 'survival' ] ]))
        PREPROCESS_POOL(DOWNLOAD.out.files.toList().map { xenaPoolInput(it) })
        ch_cohort   = PREPROCESS_POOL.out.cohort
        ch_versions = ch_versions.mix(DOWNLOAD.out.versions, PREPROCESS_POOL.out.versions)
    } else if (params.input) {
        PREPROCESS_POOL(Channel.of(samplesheetInput(params.input) + [ [] ]))
        ch_cohort   = PREPROCESS_POOL.out.cohort
        ch_versions = ch_versions.mix(PREPROCESS_POOL.out.versions)
    } else if (params.methylation) {
        PREPROCESS(Channel.of([
            [ id: 'cohort' ],
            file(params.methylation, checkIfExists: true),
            file(params.expression, checkIfExists: true),
            params.clinical ? file(params.clinical, checkIfExists: true) : [],
        ]))
        ch_cohort   = PREPROCESS.out.cohort
        ch_versions = ch_versions.mix(PREPROCESS.out.versions)
    } else {
        SIMULATE(Channel.of([ id: 'simulated' ]))
        ch_cohort   = SIMULATE.out.cohort
        ch_versions = ch_versions.mix(SIMULATE.out.versions)
    }
    VALIDATE(ch_cohort)
    ch_versions = ch_versions.mix(VALIDATE.out.versions)

    emit:
    cohort   = ch_cohort
    summary  = VALIDATE.out.summary
    versions = ch_versions
}
