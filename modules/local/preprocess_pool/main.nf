process PREPROCESS_POOL {
    tag "$meta.id"
    label 'process_medium'

    input:
    // cohorts: one map per samplesheet row (cohort, and whether it has expression and clinical
    // files); the files of the rows that have them, in row order; a reference cohort or [].
    tuple val(meta), val(cohorts), path(methylation, stageAs: 'methylation/??/*'),
        path(expression, stageAs: 'expression/??/*'), path(clinical, stageAs: 'clinical/??/*'),
        path(reference, stageAs: 'reference/*')

    output:
    tuple val(meta), path("*.h5"), emit: cohort
    path "versions.yml"          , emit: versions

    when:
    task.ext.when == null || task.ext.when

    script:
    def args          = task.ext.args ?: ''
    def prefix        = task.ext.prefix ?: "${meta.id}"
    def reference_arg = reference ? "--reference ${reference}" : ''

    // The samplesheet again, naming the staged files (each cohort's files sit in their own
    // numbered folder: Xena names every cohort's files alike).
    def staged = [ expression: [expression].flatten().iterator(), clinical: [clinical].flatten().iterator() ]
    def rows   = [cohorts, [methylation].flatten()].transpose().collect { row, meth ->
        "'" + [ row.cohort, meth, row.expression ? staged.expression.next() : '', row.clinical ? staged.clinical.next() : '' ].join(',') + "'"
    }
    """
    printf '%s\\n' cohort,methylation,expression,clinical ${rows.join(' ')} > samplesheet.csv
    tdimpute preprocess \\
        --samplesheet samplesheet.csv \\
        ${reference_arg} \\
        --out ${prefix}.h5 \\
        $args
    tdimpute versions --process "${task.process}" > versions.yml
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.h5
    tdimpute versions --process "${task.process}" > versions.yml
    """
}
