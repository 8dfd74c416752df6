<resource schema="external">
  <meta name="title">Gaia archive external tables (symfind mock sky)</meta>
  <meta name="description">Synthetic tables in the archive's schema, served for symfind's TAP tests. Not real data.</meta>
  <meta name="creationDate">2026-11-23T00:00:00Z</meta>
  <meta name="subject">stars</meta>
  <meta name="creator.name">symfind developers</meta>
  <table id="gaiadr2_geometric_distance" onDisk="True" adql="True">
    <column name="source_id" type="bigint" required="True"/>
    <column name="r_est" type="double precision"/>
    <column name="r_lo" type="double precision"/>
    <column name="r_hi" type="double precision"/>
    <column name="r_len" type="double precision"/>
    <column name="result_flag" type="smallint" required="True"/>
    <column name="modality_flag" type="smallint" required="True"/>
  </table>
  <table id="gaiaedr3_distance" onDisk="True" adql="True">
    <column name="source_id" type="bigint" required="True"/>
    <column name="r_med_geo" type="double precision"/>
    <column name="r_lo_geo" type="double precision"/>
    <column name="r_hi_geo" type="double precision"/>
    <column name="r_med_photogeo" type="double precision"/>
    <column name="r_lo_photogeo" type="double precision"/>
    <column name="r_hi_photogeo" type="double precision"/>
  </table>
  <data id="import_gaiadr2_geometric_distance">
    <sources>gaiadr2_geometric_distance.csv</sources>
    <csvGrammar/>
    <make table="gaiadr2_geometric_distance"/>
  </data>
  <data id="import_gaiaedr3_distance">
    <sources>gaiaedr3_distance.csv</sources>
    <csvGrammar/>
    <make table="gaiaedr3_distance"/>
  </data>
</resource>
