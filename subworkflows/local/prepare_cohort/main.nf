/*
 * The cohort every later step reads: a given cohort file, matrices to preprocess, a
 * samplesheet of cohorts to pool, TCGA cohorts or the Pan-Cancer Atlas downloaded from UCSC
 * Xena, or a simulated cohort; validated before use. Input files were checked to exist with
 * the parameters (utils_tdimpute).
 */
include { SIMULATE        } from '../../../modules/local/simulate/main'
include { DOWNLOAD        } from '../../../modules/local/download/main'
include { PREPROCESS      } from '../../../modules/local/preprocess/main'
include { PREPROCESS_POOL } from '../../../modules/local/preprocess_pool/main'
include { VALIDATE        } from '../../../modules/local/validate/main'

/** PREPROCESS_POOL's samplesheet and the files it names, in the order `tdimpute preprocess
 *  --staged` expects (row by row, in the sheet's column order); names are relative to the
 *  sheet's folder unless absolute or URLs. The sheet is checked by tdimpute, not here. */
def samplesheetFiles(param, path) {
    def sheet = file(path)
    def files = sheet.splitCsv(header: true, strip: true).collectMany { row ->
        row.findAll { column, name -> column != 'cohort' && name }.collect { _column, name ->
            name.startsWith('/') || name.contains('://') ? file(name) : sheet.parent.resolve(name)
        }
    }
    def missing = files.findAll { staged -> !staged.exists() }
    if (missing) {
        error("--${param}: ${path} names a file that does not exist: ${missing[0]}")
    }
    return [sheet, files]
}

workflow PREPARE_COHORT {
    take:
    options   // map: the run's parameters, each as its schema type (typedParams)

    main:
    ch_versions = channel.empty()
    if (options.cohort) {
        ch_cohort = channel.of([ [ id: file(options.cohort).baseName ], file(options.cohort) ])
    } else if (options.tcga_pancan || options.tcga_cohorts) {
        // DOWNLOAD writes a samplesheet beside the files it fetched: its folder is the sheet.
        def cohorts = options.tcga_pancan ? [] : options.tcga_cohorts.tokenize(',')*.trim()*.toUpperCase()
        DOWNLOAD(channel.of([ id: 'xena', cohorts: cohorts, pancan: options.tcga_pancan ]))
        PREPROCESS_POOL(DOWNLOAD.out.files.map { _meta, folder -> [ [ id: 'cohort' ], folder, [], [] ] })
        ch_cohort   = PREPROCESS_POOL.out.cohort
        ch_versions = ch_versions.mix(DOWNLOAD.out.versions, PREPROCESS_POOL.out.versions)
    } else if (options.input) {
        PREPROCESS_POOL(channel.of([ [ id: 'cohort' ] ] + samplesheetFiles('input', options.input) + [ [] ]))
        ch_cohort   = PREPROCESS_POOL.out.cohort
        ch_versions = ch_versions.mix(PREPROCESS_POOL.out.versions)
    } else if (options.methylation) {
        PREPROCESS(channel.of([
            [ id: 'cohort' ],
            file(options.methylation),
            file(options.expression),
            options.clinical ? file(options.clinical) : [],
        ]))
        ch_cohort   = PREPROCESS.out.cohort
        ch_versions = ch_versions.mix(PREPROCESS.out.versions)
    } else {
        SIMULATE(channel.of([ id: 'simulated' ]))
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
