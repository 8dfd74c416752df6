<resource schema="ext">
  <meta name="title">SkyMapper cross-match tables (symfind mock sky)</meta>
  <meta name="description">Synthetic tables in the archive's schema, served for symfind's TAP tests. Not real data.</meta>
  <meta name="creationDate">2026-11-23T00:00:00Z</meta>
  <meta name="subject">stars</meta>
  <meta name="creator.name">symfind developers</meta>
  <table id="twomass_psc" onDisk="True" adql="True">
    <column name="pts_key" type="bigint" required="True"/>
    <column name="j_m" type="real"/>
    <column name="j_msigcom" type="real"/>
    <column name="h_m" type="real"/>
    <column name="h_msigcom" type="real"/>
    <column name="k_m" type="real"/>
    <column name="k_msigcom" type="real"/>
    <column name="ph_qual" type="text"/>
    <column name="gal_contam" type="smallint" required="True"/>
    <column name="cc_flg" type="text"/>
    <column name="ext_key" type="bigint">
      <values nullLiteral="-1"/>
    </column>
  </table>
  <table id="gaia_dr2" onDisk="True" adql="True">
    <column name="source_id" type="bigint" required="True"/>
    <column name="parallax" type="double precision"/>
    <column name="parallax_error" type="real"/>
    <column name="pmra" type="double precision"/>
    <column name="pmra_error" type="real"/>
    <column name="pmdec" type="double precision"/>
    <column name="pmdec_error" type="real"/>
    <column name="astrometric_excess_noise" type="real"/>
  </table>
  <table id="allwise" onDisk="True" adql="True">
    <column name="cntr" type="bigint" required="True"/>
    <column name="w1mpro" type="real"/>
    <column name="w2mpro" type="real"/>
    <column name="w3mpro" type="real"/>
    <column name="w4mpro" type="real"/>
    <column name="w1sigmpro" type="real"/>
    <column name="w2sigmpro" type="real"/>
    <column name="w3sigmpro" type="real"/>
    <column name="w4sigmpro" type="real"/>
  </table>
  <table id="gaia_dr3" onDisk="True" adql="True">
    <column name="source_id" type="bigint" required="True"/>
    <column name="parallax" type="double precision"/>
    <column name="parallax_error" type="real"/>
    <column name="pmra" type="double precision"/>
    <column name="pmra_error" type="real"/>
    <column name="pmdec" type="double precision"/>
    <column name="pmdec_error" type="real"/>
    <column name="astrometric_excess_noise" type="real"/>
  </table>
  <data id="import_twomass_psc">
    <sources>twomass_psc.csv</sources>
    <csvGrammar/>
    <make table="twomass_psc"/>
  </data>
  <data id="import_gaia_dr2">
    <sources>gaia_dr2.csv</sources>
    <csvGrammar/>
    <make table="gaia_dr2"/>
  </data>
  <data id="import_allwise">
    <sources>allwise.csv</sources>
    <csvGrammar/>
    <make table="allwise"/>
  </data>
  <data id="import_gaia_dr3">
    <sources>gaia_dr3.csv</sources>
    <csvGrammar/>
    <make table="gaia_dr3"/>
  </data>
</resource>
