# Stages 1-6: the original scripts' CSV tables (Dr2_table.csv, adrian_all_weighted_colors.csv, ...), written
# from the Parquet products by jobs of their own, so that no stage waits for a CSV (twin key ->
# product: LEGACY_CSV in src/symfind/products.py). Rule csv_twin_<product>.

for twin, product in LEGACY_CSV.items():

    rule:
        name:
            f"csv_twin_{product}"
        input:
            R(product),
        output:
            R(twin),
        log:
            LOG(f"csv_twin_{product}"),
        benchmark:
            BENCH(f"csv_twin_{product}")
        conda:
            "../../envs/core.yaml"
        script:
            "../scripts/csv_twin.py"
