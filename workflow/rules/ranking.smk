# Stage 8: rank the analysed objects with the known symbiotic stars as labels (positive-unlabelled
# learning on colours and the VAE's view), evaluated on hidden labels against the VAE and baselines
# in a rule of its own.


rule rank_candidates:
    input:
        scored=R("scored"),
        matches=R("known_matches"),
        labels=vetting_labels(),
    output:
        ranked=report(R("candidates_ranked"), caption="../report/candidates_ranked.rst", category="8. Candidates"),
        importances=report(R("ranking_features"), caption="../report/ranking_features.rst", category="7. Known symbiotic stars"),
        status=R("status_rank_candidates"),
    log:
        LOG("rank_candidates"),
    benchmark:
        BENCH("rank_candidates")
    priority: 2
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB,
        runtime=30,
    params:
        rank=config["rank"],
    script:
        "../scripts/rank_candidates.py"


# The hidden-label evaluation fits the ranking once per split and input set: its own rule, so the
# ranked list's tables and the evidence do not wait for it (only the summary does). The lanes: the
# critical path first (priority 3: the gathered colours and cuts, the merge, both VAE trainings,
# the scored table, the known stars' match; the CSV twins and the plots fill the gaps), then the
# late stages in two lanes: the evidence (the longest job) and what it needs first (priority 2:
# the ranked list, the VAE's candidate table), then the evaluation (priority 1), on one core each,
# the other jobs after them (a second thread gained the evaluation 1.1x on the 10^6 sky; the scores
# do not depend on it).


rule evaluate_ranking:
    input:
        scored=R("scored"),
        matches=R("known_matches"),
        truth=truth_table(),
        labels=vetting_labels(),
    output:
        evaluation=report(
            R("ranking_evaluation"), caption="../report/ranking_evaluation.rst", category="7. Known symbiotic stars"
        ),
        plot=report(R("ranking_evaluation_plot"), caption="../report/ranking_evaluation.rst", category="7. Known symbiotic stars"),
        status=R("status_evaluate_ranking"),
    log:
        LOG("evaluate_ranking"),
    benchmark:
        BENCH("evaluate_ranking")
    priority: 1
    conda:
        "../../envs/core.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB,
        runtime=60,
    params:
        rank=config["rank"],
    script:
        "../scripts/evaluate_ranking.py"


rule ranked_tables:
    input:
        ranked=R("candidates_ranked"),
        config_used=R("config_used"),
    output:
        fits=R("candidates_ranked_fits"),
        vot=R("candidates_ranked_vot"),
    log:
        LOG("ranked_tables"),
    benchmark:
        BENCH("ranked_tables")
    conda:
        "../../envs/core.yaml"
    script:
        "../scripts/ranked_tables.py"
