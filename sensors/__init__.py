"""Qt-free heart-rate sources: the GATT parser, bleak, a bumble transport and a demo strap."""
