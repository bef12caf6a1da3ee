"""Pages that combine several apps, composed at the top from the selectors of the apps below (tests/test_layers.py):
the home page (`home`), the case page (`case`), the personal file and the subject-access copy (`personal_file`)."""
