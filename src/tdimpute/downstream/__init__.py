"""What imputed expression does to the analyses people run on it."""
