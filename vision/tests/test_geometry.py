"""Crop geometry over rotated boxes, as properties that hold for any box (hypothesis), plus OpenCV's own
corners as the reference for ours."""

import math

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vision.engine.geometry import (
    RotatedBox,
    box_corners,
    crop_axis_aligned,
    crop_bounds,
    crop_deskewed,
    deskewed_size,
    padded_extent,
)

FRAME_W, FRAME_H = 640, 480

boxes = st.builds(
    RotatedBox,
    cx=st.floats(-200, 840, allow_nan=False),
    cy=st.floats(-200, 680, allow_nan=False),
    w=st.floats(1, 400, allow_nan=False),
    h=st.floats(1, 400, allow_nan=False),
    angle=st.floats(-720, 720, allow_nan=False),
)
inside_boxes = st.builds(
    RotatedBox,
    cx=st.floats(150, 490),
    cy=st.floats(150, 330),
    w=st.floats(4, 200),
    h=st.floats(4, 200),
    angle=st.floats(-180, 180),
)
paddings = st.floats(0, 0.5, allow_nan=False)


@given(boxes)
def test_corners_are_opencvs_box_points(box):
    ours = box_corners(box)
    theirs = cv2.boxPoints(((box.cx, box.cy), (box.w, box.h), box.angle))
    assert np.allclose(ours, theirs, atol=1e-2 * max(1.0, abs(box.cx), abs(box.cy)) + 1e-3)


@given(boxes)
def test_corners_keep_the_box_centre_and_side_lengths(box):
    corners = box_corners(box)
    assert np.allclose(corners.mean(axis=0), [box.cx, box.cy], atol=1e-6 * max(1, abs(box.cx), abs(box.cy)))
    sides = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    assert np.allclose(sorted(sides), sorted([box.w, box.w, box.h, box.h]), rtol=1e-6)


@given(boxes, paddings)
def test_bounds_never_leave_the_frame_and_are_never_empty(box, padding):
    bounds = crop_bounds(box, FRAME_W, FRAME_H, padding)
    if bounds is None:
        x0, y0, x1, y1 = padded_extent(box, padding)
        # Nothing of the padded extent is inside the frame (at pixel granularity).
        assert math.ceil(x1) <= 0 or math.ceil(y1) <= 0 or math.floor(x0) >= FRAME_W or math.floor(y0) >= FRAME_H
        return
    assert 0 <= bounds.x0 < bounds.x1 <= FRAME_W
    assert 0 <= bounds.y0 < bounds.y1 <= FRAME_H


@given(inside_boxes, paddings)
def test_a_box_inside_the_frame_is_whole_in_its_crop(box, padding):
    bounds = crop_bounds(box, FRAME_W, FRAME_H, padding)
    corners = box_corners(box)
    assert bounds is not None
    assert (corners[:, 0] >= bounds.x0 - 1e-9).all() and (corners[:, 0] <= bounds.x1 + 1e-9).all()
    assert (corners[:, 1] >= bounds.y0 - 1e-9).all() and (corners[:, 1] <= bounds.y1 + 1e-9).all()
    # Tight: no more than the padding and one pixel of rounding on each side.
    x0, y0, x1, y1 = padded_extent(box, padding)
    if x0 >= 0 and y0 >= 0 and x1 <= FRAME_W and y1 <= FRAME_H:
        assert bounds.width <= (x1 - x0) + 2 and bounds.height <= (y1 - y0) + 2


@given(boxes, paddings, paddings)
def test_more_padding_never_gives_a_smaller_crop(box, first, second):
    small, large = sorted([first, second])
    a = crop_bounds(box, FRAME_W, FRAME_H, small)
    b = crop_bounds(box, FRAME_W, FRAME_H, large)
    if a is None:
        return
    assert b is not None
    assert b.x0 <= a.x0 and b.y0 <= a.y0 and b.x1 >= a.x1 and b.y1 >= a.y1


@given(boxes, paddings)
def test_a_half_turn_or_swapped_sides_at_a_quarter_turn_cut_the_same_crop(box, padding):
    turned = RotatedBox(box.cx, box.cy, box.w, box.h, box.angle + 180)
    quarter = RotatedBox(box.cx, box.cy, box.h, box.w, box.angle + 90)
    reference = crop_bounds(box, FRAME_W, FRAME_H, padding)
    for other in (turned, quarter):
        found = crop_bounds(other, FRAME_W, FRAME_H, padding)
        if reference is None or found is None:
            continue  # rounding on the frame's edge may tip one of them to empty
        assert abs(found.x0 - reference.x0) <= 1 and abs(found.x1 - reference.x1) <= 1
        assert abs(found.y0 - reference.y0) <= 1 and abs(found.y1 - reference.y1) <= 1


@settings(max_examples=40)
@given(boxes, paddings)
def test_axis_aligned_crop_has_the_bounds_shape_and_the_frames_pixels(box, padding):
    rng = np.random.default_rng(0)
    frame = rng.integers(0, 255, size=(FRAME_H, FRAME_W, 3), dtype=np.uint8)
    bounds = crop_bounds(box, FRAME_W, FRAME_H, padding)
    crop = crop_axis_aligned(frame, box, padding)
    if bounds is None:
        assert crop is None
        return
    assert crop.shape == (bounds.height, bounds.width, 3)
    assert np.array_equal(crop, frame[bounds.y0 : bounds.y1, bounds.x0 : bounds.x1])
    crop[...] = 0  # a copy: cutting never changes the frame
    assert frame[bounds.y0 : bounds.y1, bounds.x0 : bounds.x1].any()


@settings(max_examples=40)
@given(inside_boxes, paddings)
def test_deskewed_crop_has_the_boxs_padded_size_and_sees_the_box(box, padding):
    frame = np.zeros((FRAME_H, FRAME_W, 3), dtype=np.uint8)
    cv2.fillPoly(frame, [np.round(box_corners(box)).astype(np.int32)], (255, 255, 255))
    crop = crop_deskewed(frame, box, padding)
    out_w, out_h = deskewed_size(box, padding)
    assert crop.shape == (out_h, out_w, 3)
    # The box's centre is at the crop's centre, upright: the middle of the crop is the white box.
    cy, cx = out_h // 2, out_w // 2
    assert crop[cy, cx].min() >= 200


def test_deskewing_a_quarter_turned_table_gives_it_back_upright():
    frame = np.zeros((200, 200, 3), dtype=np.uint8)
    frame[60:140, 90:110] = 255  # a table 20 wide and 80 tall
    # Described as 80 x 20 turned a quarter: the upright crop is 80 wide and 20 tall, all table.
    crop = crop_deskewed(frame, RotatedBox(100, 100, 80, 20, 90))
    assert crop.shape == (20, 80, 3)
    assert crop[2:-2, 2:-2].min() == 255


def test_a_box_off_the_frame_has_no_crop_and_negative_padding_is_refused():
    frame = np.zeros((FRAME_H, FRAME_W, 3), dtype=np.uint8)
    far = RotatedBox(-500, -500, 50, 50, 30)
    assert crop_axis_aligned(frame, far) is None and crop_deskewed(frame, far) is None
    with pytest.raises(ValueError):
        crop_bounds(RotatedBox(10, 10, 5, 5), FRAME_W, FRAME_H, -0.1)
