<resource schema="dr4">
  <meta name="title">SkyMapper DR4 (symfind mock sky, the same objects under DR4 names)</meta>
  <meta name="description">Synthetic tables in the archive's schema, served for symfind's TAP tests. Not real data.</meta>
  <meta name="creationDate">2026-11-23T00:00:00Z</meta>
  <meta name="subject">stars</meta>
  <meta name="creator.name">symfind developers</meta>
  <table id="master" onDisk="True" adql="True">
    <column name="object_id" type="bigint" required="True"/>
    <column name="raj2000" type="double precision"/>
    <column name="dej2000" type="double precision"/>
    <column name="glon" type="double precision"/>
    <column name="glat" type="double precision"/>
    <column name="u_psf" type="real"/>
    <column name="v_psf" type="real"/>
    <column name="g_psf" type="real"/>
    <column name="r_psf" type="real"/>
    <column name="i_psf" type="real"/>
    <column name="z_psf" type="real"/>
    <column name="e_u_psf" type="real"/>
    <column name="e_v_psf" type="real"/>
    <column name="e_g_psf" type="real"/>
    <column name="e_r_psf" type="real"/>
    <column name="e_i_psf" type="real"/>
    <column name="e_z_psf" type="real"/>
    <column name="u_ngood" type="smallint" required="True"/>
    <column name="v_ngood" type="smallint" required="True"/>
    <column name="g_ngood" type="smallint" required="True"/>
    <column name="r_ngood" type="smallint" required="True"/>
    <column name="i_ngood" type="smallint" required="True"/>
    <column name="z_ngood" type="smallint" required="True"/>
    <column name="class_star" type="real"/>
    <column name="flags_psf" type="integer" required="True"/>
    <column name="nch_max" type="smallint" required="True"/>
    <column name="self_dist1" type="real"/>
    <column name="ebmv_sfd" type="real"/>
    <column name="twomass_key" type="bigint">
      <values nullLiteral="-1"/>
    </column>
    <column name="twomass_dist" type="real"/>
    <column name="gaia_dr3_id1" type="bigint">
      <values nullLiteral="-1"/>
    </column>
    <column name="gaia_dr3_dist1" type="real"/>
    <column name="gaia_dr3_dist2" type="real"/>
    <column name="allwise_cntr" type="bigint">
      <values nullLiteral="-1"/>
    </column>
    <column name="allwise_dist" type="real"/>
  </table>
  <table id="photometry" onDisk="True" adql="True">
    <column name="object_id" type="bigint" required="True"/>
    <column name="image_id" type="bigint" required="True"/>
    <column name="filter" type="text"/>
    <column name="mag_psf" type="real"/>
    <column name="e_mag_psf" type="real"/>
    <column name="flags" type="integer" required="True"/>
  </table>
  <table id="images" onDisk="True" adql="True">
    <column name="image_id" type="bigint" required="True"/>
    <column name="night_mjd" type="double precision"/>
    <column name="filter" type="text"/>
    <column name="exp_time" type="real"/>
  </table>
  <data id="import_master">
    <sources>master.csv</sources>
    <csvGrammar/>
    <make table="master"/>
  </data>
  <data id="import_photometry">
    <sources>photometry.csv</sources>
    <csvGrammar/>
    <make table="photometry"/>
  </data>
  <data id="import_images">
    <sources>images.csv</sources>
    <csvGrammar/>
    <make table="images"/>
  </data>
</resource>
