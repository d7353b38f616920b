process DOWNLOAD {
    tag "$meta.id"
    label 'process_single'
    // Needs the internet (UCSC Xena); files already in the work folder of a resumed run stay.

    input:
    // meta.cohorts: TCGA cohorts, each with the Pan-Cancer survival table as clinical table;
    // meta.pancan: the Pan-Cancer Atlas instead
    val(meta)

    output:
    // The files and the samplesheet.csv naming them (PREPROCESS_POOL reads the folder).
    tuple val(meta), path("xena"), emit: files
    path "versions.yml"          , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    def what = meta.pancan ? '--pancan' : (meta.cohorts.collect { cohort -> "--cohort ${cohort}" } + ['--survival']).join(' ')
    """
    tdimpute download ${what} --out xena --threads ${task.cpus} $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    """
    mkdir xena && echo cohort,methylation,expression,clinical > xena/samplesheet.csv
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
