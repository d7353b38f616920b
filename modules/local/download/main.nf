process DOWNLOAD {
    tag "$meta.id"
    label 'process_single'
    // Needs the internet (UCSC Xena); files already in the work folder of a resumed run stay.

    input:
    // meta.cohort: a TCGA cohort's matrices; meta.pancan: the Pan-Cancer Atlas files;
    // neither: the Pan-Cancer survival table alone
    val(meta)

    output:
    tuple val(meta), path("xena/*"), emit: files
    path "versions.yml"            , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def what = meta.cohort ? "--cohort ${meta.cohort}" : meta.pancan ? '--pancan' : '--survival'
    """
    tdimpute download ${what} --out xena $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    """
    mkdir xena && touch xena/${meta.id}.gz
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
