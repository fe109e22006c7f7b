"""The machine as a drawing: where each part sits, where each hop's token goes, what each
part shows after a hop. Imports only the simulation core; the web layer renders it."""
