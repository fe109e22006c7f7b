"""The home page shows every way in, and each way leads somewhere."""

from sqlmodel import Session

from app.store.accounts import add_instructor

HTML = {"Accept": "text/html"}


def test_the_home_page_offers_the_four_ways_in_and_the_instructor_sign_in(client):
    page = client.get("/").text
    for way in ("Explore a machine", "Study a lesson", "Practise", "Join a class"):
        assert way in page
    for href in ('href="#scenarios"', 'href="/lessons"', 'href="/practice"', 'href="/instructor"'):
        assert href in page
    assert '<form method="get" action="/join"' in page


def test_practice_has_an_index_of_machines_each_with_its_questions(client):
    page = client.get("/practice")
    assert page.status_code == 200
    assert 'href="/practice/partitioned"' in page.text
    assert "Physical block and C/H/S of a guest&#39;s virtual block" in page.text


def test_a_practice_answer_that_is_not_one_is_refused_and_the_streak_kept(client):
    page = client.get("/practice/dedicated").text
    template = page.split('name="template" value="')[1].split('"')[0]
    seed = page.split('name="seed" value="')[1].split('"')[0]
    refused = client.post("/practice/dedicated", data={"template": template, "seed": seed})
    assert refused.status_code == 422 and "give an answer" in refused.text


def test_instructor_pages_take_a_person_to_sign_in_and_back(client):
    with Session(client.app.state.iovlab.engine) as db:
        add_instructor(db, email="t@uni.example", password="a long password")
    away = client.get("/instructor", headers=HTML, follow_redirects=False)
    assert (
        away.status_code == 303 and away.headers["location"] == "/instructor/login?next=/instructor"
    )
    login = client.get(away.headers["location"]).text
    assert 'name="next" value="/instructor"' in login
    back = client.post(
        "/instructor/login",
        data={"email": "t@uni.example", "password": "a long password", "next": "/instructor"},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/instructor"
    elsewhere = client.post(
        "/instructor/login",
        data={
            "email": "t@uni.example",
            "password": "a long password",
            "next": "https://evil.example",
        },
        follow_redirects=False,
    )
    assert elsewhere.headers["location"] == "/instructor"
