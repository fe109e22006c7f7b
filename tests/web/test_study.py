"""A student studies a lesson alone: answer, see why, and resume in the same browser."""

import re


def test_the_lessons_list_offers_study_and_says_step_and_question_counts_right(client):
    page = client.get("/lessons").text
    assert 'href="/lessons/1-why-virtualize/study"' in page
    assert "1 questions" not in page and re.search(r"\b1 question\b", page)
    assert re.search(r"\b\d+ steps\b", page)


def test_a_wrong_then_a_right_answer_with_the_hop_that_explains_it(client):
    page = client.get("/lessons/1-why-virtualize/study/3")
    assert page.status_code == 200
    assert "Answer first" in page.text and "physical mapping" not in page.text
    wrong = client.post("/lessons/1-why-virtualize/study/3", data={"given": "10"})
    assert wrong.status_code == 200 and "Not quite" in wrong.text
    assert "<td>10</td>" in wrong.text and "<strong>4106</strong>" in wrong.text
    right = client.post("/lessons/1-why-virtualize/study/3", data={"given": "4106"})
    assert "Right" in right.text and "physical block = 4106." in right.text
    assert 'class="answer"' in right.text  # the hop holding the answer, marked in the replay


def test_non_answers_are_refused_and_nothing_is_revealed(client):
    refused = client.post("/lessons/1-why-virtualize/study/3", data={"given": "abc"})
    assert refused.status_code == 422 and "is not a number" in refused.text
    assert "4106" not in refused.text


def test_the_same_browser_resumes_where_it_stopped(client):
    start = client.get("/lessons/3-partitioned/study", follow_redirects=False)
    assert start.headers["location"] == "/lessons/3-partitioned/study/1"
    client.get("/lessons/3-partitioned/study/2")
    again = client.get("/lessons/3-partitioned/study", follow_redirects=False)
    assert again.headers["location"] == "/lessons/3-partitioned/study/2"
    assert "Resume at step 2" in client.get("/lessons").text
    client.cookies.clear()  # another browser starts over
    fresh = client.get("/lessons/3-partitioned/study", follow_redirects=False)
    assert fresh.headers["location"] == "/lessons/3-partitioned/study/1"


def test_a_step_past_the_end_is_a_404(client):
    assert client.get("/lessons/1-why-virtualize/study/99").status_code == 404
