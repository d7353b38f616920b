process COMPLETE {
    tag "$meta.id"
    label 'process_low'

    input:
    tuple val(meta), path(imputed), path(cohort), path(model) // model: its held-out residuals feed multiple imputation

    output:
    tuple val(meta), path("${prefix}")                   , emit: results
    tuple val(meta), path("${prefix}/completed.json")    , emit: summary
    path "versions.yml"                                  , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args = task.ext.args ?: ''
    prefix   = task.ext.prefix ?: "${meta.id}"
    """
    tdimpute complete \\
        --cohort ${cohort} \\
        --cancer ${meta.cancer} \\
        --imputed ${imputed} \\
        --model ${model} \\
        --out ${prefix} \\
        --threads ${task.cpus} \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mkdir ${prefix} && echo '{}' > ${prefix}/completed.json
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
