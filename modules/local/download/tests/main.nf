include { DOWNLOAD } from '../main'

workflow {
    DOWNLOAD(Channel.of([ id: 'LUAD', cohort: 'LUAD' ], [ id: 'survival' ]))
    DOWNLOAD.out.files.flatMap { meta, files -> files }.collectFile(storeDir: "${params.outdir}/download") { [ it.name, it ] }
}
