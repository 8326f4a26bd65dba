"""Citizens' feedback: ratings of finished dossiers and complaints and suggestions (phản ánh, kiến nghị)
with staff answers, their own time limit, published answers, and counts for the leaders' dashboard."""
