include { DOWNLOAD } from '../main'

workflow {
    DOWNLOAD(channel.of([ id: 'xena', cohorts: [ 'LUAD' ], pancan: false ]))
    DOWNLOAD.out.files
        .flatMap { _meta, folder -> folder.listFiles().toList() }
        .collectFile(storeDir: "${params.outdir}/download") { downloaded -> [ downloaded.name, downloaded ] }
}
