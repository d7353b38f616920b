process IMPUTE {
    tag "$meta.id"
    // The gpu profile gives the network methods (tdimpute*) an accelerator.
    label 'process_medium'

    input:
    tuple val(meta), path(model), path(cohort), path(split)

    output:
    tuple val(meta), path("*.imputed.tsv.gz"), emit: imputed
    // With ext.args --reliability: the model's per-gene accuracy on held-out training samples.
    tuple val(meta), path("*.reliability.tsv"), emit: reliability, optional: true
    // With ext.args --interval: each imputed value's lower and upper bounds.
    tuple val(meta), path("*.imputed.{lower,upper}.tsv.gz"), emit: intervals, optional: true
    path "versions.yml"                      , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args      = task.ext.args ?: ''
    def prefix    = task.ext.prefix ?: "${meta.id}"
    def split_arg = split ? "--split ${split}" : ''
    def cancer_arg = meta.cancer ? "--cancer ${meta.cancer}" : ''
    """
    tdimpute impute \\
        --model ${model} \\
        --cohort ${cohort} \\
        ${cancer_arg} \\
        ${split_arg} \\
        --out ${prefix}.imputed.tsv.gz \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo -n | gzip > ${prefix}.imputed.tsv.gz
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
