<resource schema="gaiadr3">
  <meta name="title">Gaia DR3 tables: Halpha, variability classes, long-period variables, DR2 neighbourhood (symfind mock sky)</meta>
  <meta name="description">Synthetic tables in the archive's schema, served for symfind's TAP tests. Not real data.</meta>
  <meta name="creationDate">2026-11-23T00:00:00Z</meta>
  <meta name="subject">stars</meta>
  <meta name="creator.name">symfind developers</meta>
  <table id="astrophysical_parameters" onDisk="True" adql="True">
    <column name="source_id" type="bigint" required="True"/>
    <column name="ew_espels_halpha" type="double precision"/>
    <column name="ew_espels_halpha_uncertainty" type="double precision"/>
    <column name="ew_espels_halpha_flag" type="text"/>
    <column name="classlabel_espels" type="text"/>
  </table>
  <table id="vari_classifier_result" onDisk="True" adql="True">
    <column name="source_id" type="bigint" required="True"/>
    <column name="best_class_name" type="text"/>
    <column name="best_class_score" type="double precision"/>
  </table>
  <table id="vari_long_period_variable" onDisk="True" adql="True">
    <column name="source_id" type="bigint" required="True"/>
    <column name="frequency" type="double precision"/>
    <column name="amplitude" type="double precision"/>
    <column name="is_cstar" type="boolean"/>
  </table>
  <table id="dr2_neighbourhood" onDisk="True" adql="True">
    <column name="dr2_source_id" type="bigint" required="True"/>
    <column name="dr3_source_id" type="bigint" required="True"/>
    <column name="angular_distance" type="double precision"/>
    <column name="magnitude_difference" type="double precision"/>
  </table>
  <data id="import_astrophysical_parameters">
    <sources>astrophysical_parameters.csv</sources>
    <csvGrammar/>
    <make table="astrophysical_parameters"/>
  </data>
  <data id="import_vari_classifier_result">
    <sources>vari_classifier_result.csv</sources>
    <csvGrammar/>
    <make table="vari_classifier_result"/>
  </data>
  <data id="import_vari_long_period_variable">
    <sources>vari_long_period_variable.csv</sources>
    <csvGrammar/>
    <make table="vari_long_period_variable"/>
  </data>
  <data id="import_dr2_neighbourhood">
    <sources>dr2_neighbourhood.csv</sources>
    <csvGrammar/>
    <make table="dr2_neighbourhood"/>
  </data>
</resource>
