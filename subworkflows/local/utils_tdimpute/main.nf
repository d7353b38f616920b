/*
 * Checks the run's parameters against nextflow_schema.json without the nf-schema plugin
 * (which cannot be downloaded offline): types, enums, ranges, patterns and existing files of
 * every parameter, the method names against assets/methods.json, then the rules that tie
 * parameters together. One line per problem.
 */

/** The methods as `tdimpute methods --json` lists them (assets/methods.json): name -> entry. */
def methodRegistry() {
    def listed = new groovy.json.JsonSlurper().parseText(file("${projectDir}/assets/methods.json").text)
    return listed.collectEntries { method -> [ method.name, method ] }
}

/** The methods that --methods names: `all` is every method of the registry. */
def selectedMethods(methods, registry) {
    return methods.toString() == 'all' ? registry.keySet() as List : methods.toString().tokenize(',')*.trim()
}

def methodProblems(params, registry) {
    def known = "the methods: ${registry.keySet().join(', ')}"
    def problems = selectedMethods(params.methods, registry).findAll { method -> !registry.containsKey(method) }
        .collect { method -> "--methods: unknown method '${method}' (${known})".toString() }
    if (params.impute_method && !registry.containsKey(params.impute_method.toString())) {
        problems << "--impute_method: unknown method '${params.impute_method}' (${known})".toString()
    }
    return problems
}

def schemaProperties(schemaPath) {
    def schema = new groovy.json.JsonSlurper().parseText(file(schemaPath).text)
    def found = [:]
    schema['$defs'].each { _name, group -> found.putAll(group.properties) }
    return found
}

/** One line per problem of the parameters as given (`params`) and as typed (`typedParams`). */
def paramsProblems(params, typed, schemaPath, registry) {
    def known = schemaProperties(schemaPath)
    def problems = []
    params.each { key, value ->
        if (known.containsKey(key)) {
            def problem = checkParam(value, known[key])
            if (problem) {
                problems << "--${key}: ${problem}".toString()
            }
        } else if (!known.containsKey(snakeCase(key))) {
            // Nextflow adds camelCase twins of snake_case names; only report real unknowns.
            problems << "--${key}: unknown parameter".toString()
        }
    }
    problems.addAll(methodProblems(typed, registry))
    problems.addAll(crossChecks(typed))
    return problems
}

def snakeCase(key) {
    return key.replaceAll('([A-Z])', '_$1').toLowerCase().replace('-', '_')
}

/**
 * Every parameter as its schema type. Nextflow 25.10 and later hand every command-line value
 * over as a String (`--save_models true` is 'true'), as a params file's quoted values are:
 * booleans are read from true/false in any case, integers and numbers from their text. A value
 * that is not of its type stays as given, for paramsProblems to report.
 */
def typedParams(params, schemaPath) {
    def known = schemaProperties(schemaPath)
    return params.collectEntries { key, value ->
        def typed = value != null && known.containsKey(key) ? typedValue(value, known[key].type) : null
        [ key, typed != null ? typed : value ]
    }
}

/** `value` as a `type` of the schema, or null where it is not one. */
def typedValue(value, type) {
    if (value instanceof Boolean) {
        return type == 'boolean' ? value : null
    }
    def text = value.toString().trim()
    if (type == 'boolean') {
        return text.toLowerCase() in ['true', 'false'] ? text.toLowerCase() == 'true' : null
    }
    if (type == 'integer') {
        return text ==~ /[-+]?\d+/ ? new BigInteger(text.replace('+', '')) as Long : null
    }
    if (type == 'number') {
        return text ==~ /[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/ ? new BigDecimal(text.replace('+', '')) : null
    }
    return value
}

/** Why `value` breaks the parameter's rule, or null; unset (null) values pass. */
def checkParam(value, rule) {
    if (value == null) {
        return null
    }
    def typed = typedValue(value, rule.type)
    if (typed == null) {
        return typeProblem(value, rule.type)
    }
    if (rule.type == 'boolean') {
        return null
    }
    def text = typed.toString()
    if (rule['enum'] && !(text in rule['enum'])) {
        return "expected one of ${rule['enum'].join(', ')}, got '${text}'"
    }
    if (rule.pattern && !java.util.regex.Pattern.compile(rule.pattern).matcher(text).find()) {
        return "'${text}' is not valid (${rule.description})"
    }
    if (rule.exists && !file(text).exists()) {
        return "${rule.format == 'directory-path' ? 'folder' : 'file'} not found: ${text}"
    }
    return rule.type in ['integer', 'number'] ? checkRange(new BigDecimal(text), rule) : null
}

def typeProblem(value, type) {
    def expected = [boolean: 'true or false', integer: 'an integer', number: 'a number'][type]
    return expected ? "expected ${expected}, got '${value}'" : 'expected a value'
}

def checkRange(number, rule) {
    if (rule.minimum != null && number < (rule.minimum as BigDecimal)) {
        return "must be >= ${rule.minimum}, got ${number}"
    }
    if (rule.maximum != null && number > (rule.maximum as BigDecimal)) {
        return "must be <= ${rule.maximum}, got ${number}"
    }
    if (rule.exclusiveMinimum != null && number <= (rule.exclusiveMinimum as BigDecimal)) {
        return "must be > ${rule.exclusiveMinimum}, got ${number}"
    }
    return null
}

def crossChecks(params) {
    def problems = []
    def sources = [params.cohort, params.input, params.tcga_cohorts, params.tcga_pancan ? true : null,
                   params.methylation, params.simulate ? true : null].findAll { source -> source }
    if (sources.size() != 1) {
        problems << 'give exactly one input: --cohort, --input (a samplesheet), --tcga_cohorts, --tcga_pancan, --methylation with --expression, or --simulate'
    }
    if (params.methylation && !params.expression) {
        problems << '--expression: needed with --methylation'
    }
    if (params.external_input && params.mode != 'impute') {
        problems << '--external_input: only in --mode impute'
    }
    if ((params.input || params.tcga_cohorts || params.tcga_pancan) && params.cancer_type) {
        problems << '--cancer_type: not used with --input, --tcga_cohorts or --tcga_pancan (the cohorts name the cancer types)'
    }
    if (!params.target_cancers) {
        problems << '--target_cancers: needed (comma-separated cancer types)'
    }
    if (params.reliability_folds == 1) {
        problems << '--reliability_folds: 0 (off) or at least 2 folds'
    }
    if (params.benchmark_intervals && params.reliability_folds == 0) {
        problems << '--benchmark_intervals: needs --reliability_folds 2 or more (the intervals come from its held-out residuals)'
    }
    if (params.benchmark_intervals && params.interval == null) {
        problems << '--benchmark_intervals: needs --interval (the probability its bounds should cover)'
    }
    return problems
}

/** One line for each setting that quietly turns another off. */
def paramsWarnings(params) {
    def warnings = []
    if (params.mode == 'impute' && params.reliability_folds == 0 && (params.interval != null || params.multiple_imputations > 0)) {
        warnings << '--reliability_folds 0: no intervals and no multiple imputation, which draw on its held-out residuals (give it 2 or more for them)'
    }
    return warnings
}

def paramsHelp(schemaPath) {
    def lines = ['Usage: nextflow run . -profile <test|docker|singularity|...> [--param value ...]', '']
    schemaProperties(schemaPath).each { name, rule ->
        if (!rule.hidden) {
            def fallback = rule.default != null ? " [default: ${rule.default}]" : ''
            lines << "  --${name.padRight(22)} ${rule.description}${fallback}".toString()
        }
    }
    return lines.join('\n')
}
