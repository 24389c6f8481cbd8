from notify.domain.templates import Channel, MessageTemplate
from notify.memory import InMemoryRepository
from notify.template_cache import TemplateCache


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class CountingRepository(InMemoryRepository):
    def __init__(self):
        super().__init__()
        self.reads = 0

    def latest_templates(self, event_type):
        self.reads += 1
        return super().latest_templates(event_type)


def version_2():
    return MessageTemplate("dossier.accepted", Channel.SMS, "Mới: ${dossier_code}", version=2)


def test_a_saved_version_is_used_at_most_ttl_seconds_after_it_was_saved():
    repo, clock = InMemoryRepository(), Clock()
    cache = TemplateCache(repo, ttl=10, clock=clock)
    assert cache.template("dossier.accepted", Channel.SMS).version == 1  # shipped in code
    repo.add_template(version_2())
    clock.now += 9.9
    assert cache.template("dossier.accepted", Channel.SMS).version == 1
    clock.now += 0.1
    assert cache.template("dossier.accepted", Channel.SMS).version == 2


def test_every_channel_of_an_event_comes_from_one_read_per_ttl():
    repo, clock = CountingRepository(), Clock()
    repo.add_template(version_2())
    cache = TemplateCache(repo, ttl=10, clock=clock)
    for _ in range(3):
        templates = [cache.template("dossier.accepted", channel) for channel in Channel]
    assert [t.version for t in templates] == [1, 2, 1]
    assert repo.reads == 1
    cache.template("dossier.submitted", Channel.SMS)
    assert repo.reads == 2


def test_without_a_ttl_templates_are_read_for_every_use():
    repo = CountingRepository()
    cache = TemplateCache(repo, ttl=0, clock=Clock())
    cache.template("dossier.accepted", Channel.SMS)
    repo.add_template(version_2())
    assert cache.template("dossier.accepted", Channel.SMS).version == 2
    assert repo.reads == 2
