"""Catalog: products, their digital twins (glTF assets), configurator rules and prices, explainers."""
