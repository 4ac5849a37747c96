"""Date formats of the product's own, per language (``FORMAT_MODULE_PATH``): Django's own formats
for each language still apply; these modules only add names of ours."""
