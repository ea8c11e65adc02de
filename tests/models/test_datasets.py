from datetime import datetime

import pytest

from common.errors import InputError
from models.datasets import Example, load_datasets, load_guokr, time_split


def test_every_loader_reads_its_layout_with_both_labels_per_split(tiny_datasets):
    examples = load_datasets(tiny_datasets)
    for name in ("checked-covid-weibo-zh", "constraint-covid-fakenews", "coaid",
                 "rumor-breaker-guokr-zh"):
        for split in ("train", "dev", "test"):
            labels = {e.label for e in examples if e.dataset == name and e.split == split}
            assert labels == {0, 1}, (name, split)
    weibo = [e for e in examples if e.dataset == "checked-covid-weibo-zh"]
    assert {e.lang for e in weibo} == {"zh"}
    assert all(("秘方" in e.text or "偏方" in e.text) == bool(e.label) for e in weibo)


def test_coaid_splits_by_snapshot_and_guokr_by_time_without_debated_items(tiny_datasets):
    coaid = load_datasets(tiny_datasets, ["coaid"])
    assert {e.time.month for e in coaid if e.split == "test"} == {11}
    assert {e.time.month for e in coaid if e.split == "train"} == {5, 7}
    guokr = load_guokr(tiny_datasets)
    assert not any("争论" in e.text for e in guokr)
    latest_train = max(e.time for e in guokr if e.split == "train")
    assert all(e.time >= latest_train for e in guokr if e.split == "test")


def test_time_split_orders_by_time_and_a_repeated_text_stays_in_train(tiny_datasets):
    rows = [Example(f"t{i}", i % 2, "en", "", "d", datetime(2020, 1, 10 - i)) for i in range(10)]
    split = {e.text: e.split for e in time_split(rows)}
    assert split["t9"] == "train" and split["t0"] == "test" and split["t2"] == "dev"
    data = tiny_datasets / "constraint-covid-fakenews" / "data"
    test_file = data / "english_test_with_labels.csv"
    train_text = load_datasets(tiny_datasets, ["constraint-covid-fakenews"])[0].text
    with test_file.open("a", encoding="utf-8") as handle:
        handle.write(f'999,"{train_text}",fake\n')
    again = [e for e in load_datasets(tiny_datasets, ["constraint-covid-fakenews"])
             if e.text == train_text]
    assert [e.split for e in again] == ["train"]


def test_bad_rows_and_missing_files_name_the_place(tiny_datasets, tmp_path):
    path = tiny_datasets / "checked-covid-weibo-zh" / "baseline" / "data" / "new_dev.txt"
    path.write_text("一条微博\tfake\n没有标签的一行\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"new_dev.txt:2"):
        load_datasets(tiny_datasets, ["checked-covid-weibo-zh"])
    with pytest.raises(InputError, match="dataset file not found"):
        load_datasets(tmp_path / "nowhere", ["constraint-covid-fakenews"])
    with pytest.raises(InputError, match="unknown dataset"):
        load_datasets(tiny_datasets, ["no-such-set"])
