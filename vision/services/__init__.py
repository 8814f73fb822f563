"""Every write of the vision app: capture and polling, crops, predictions, applying them to the floor
(through floor's table-state service only), labelling, training and the demo camera."""
