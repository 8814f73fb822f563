"""The vision API's paths, as the original system had them (no trailing slash), under /api/v1/."""

from django.urls import path

from vision.api import views

CAMERA = "crops/cameras/<int:camera_id>"

urlpatterns = [
    path("ml/predict", views.PredictView.as_view(), name="ml-predict"),
    path("ml/status", views.ClassifierStatusView.as_view(), name="ml-status"),
    path("crops/cameras", views.CameraListView.as_view(), name="crops-cameras"),
    path(CAMERA, views.CameraDetailView.as_view(), name="crops-camera"),
    path(f"{CAMERA}/capture", views.CaptureView.as_view(), name="crops-camera-capture"),
    path(f"{CAMERA}/latest", views.LatestView.as_view(), name="crops-camera-latest"),
    path(f"{CAMERA}/frame", views.FrameView.as_view(), name="crops-camera-frame"),
    path(f"{CAMERA}/frames", views.FramePushView.as_view(), name="crops-camera-push"),
    path("crops/labelling", views.LabellingQueueView.as_view(), name="crops-labelling"),
    path("crops/predictions", views.PredictionListView.as_view(), name="crops-predictions"),
    path("crops/conflicts", views.ConflictListView.as_view(), name="crops-conflicts"),
    path(
        "crops/conflicts/<int:conflict_id>/dismiss", views.ConflictDismissView.as_view(), name="crops-conflict-dismiss"
    ),
    path("crops/regions", views.RegionListView.as_view(), name="crops-regions"),
    path("crops/regions/<int:region_id>", views.RegionDetailView.as_view(), name="crops-region"),
    path("crops/<int:crop_id>/image", views.CropImageView.as_view(), name="crops-image"),
    path("crops/<int:crop_id>/label", views.CropLabelView.as_view(), name="crops-label"),
]
