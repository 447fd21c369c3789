// Module OpenPGP.
