"""The recommender service: skills profiles, skill gaps and course recommendations."""
